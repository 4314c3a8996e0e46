namespace Threshold.Rpc;

/// <summary>
/// The 17 status codes of gRPC (grpc/grpc doc/statuscodes.md). The numeric values are the wire values
/// sent in the <c>grpc-status</c> trailer and the <c>code</c> field of an HTTP/JSON error body.
/// </summary>
public enum RpcStatusCode
{
    /// <summary>Success.</summary>
    OK = 0,
    /// <summary>The caller cancelled the call.</summary>
    Cancelled = 1,
    /// <summary>An error with no better code (also what a client sees for unparseable statuses).</summary>
    Unknown = 2,
    /// <summary>The request is invalid regardless of the system's state.</summary>
    InvalidArgument = 3,
    /// <summary>The deadline passed before the call completed.</summary>
    DeadlineExceeded = 4,
    /// <summary>The requested entity does not exist (or the caller may not know whether it does).</summary>
    NotFound = 5,
    /// <summary>The entity the caller tried to create already exists.</summary>
    AlreadyExists = 6,
    /// <summary>The caller is authenticated but not allowed to do this.</summary>
    PermissionDenied = 7,
    /// <summary>A quota or limit ran out, for example a message larger than allowed.</summary>
    ResourceExhausted = 8,
    /// <summary>The system is not in the state the operation needs.</summary>
    FailedPrecondition = 9,
    /// <summary>The operation was aborted, typically by a concurrency conflict; retry at a higher level.</summary>
    Aborted = 10,
    /// <summary>A value is past the valid range.</summary>
    OutOfRange = 11,
    /// <summary>The method is unknown or not supported by this server.</summary>
    Unimplemented = 12,
    /// <summary>An invariant broke inside the server or the protocol; details stay on the server.</summary>
    Internal = 13,
    /// <summary>The service is unreachable for now; retrying may help.</summary>
    Unavailable = 14,
    /// <summary>Unrecoverable data loss or corruption.</summary>
    DataLoss = 15,
    /// <summary>The caller did not prove who it is.</summary>
    Unauthenticated = 16,
}

/// <summary>Names and HTTP mappings of <see cref="RpcStatusCode"/>.</summary>
public static class RpcStatusCodes
{
    /// <summary>The canonical upper-case name, e.g. <c>NOT_FOUND</c>, as used in JSON error bodies.</summary>
    /// <param name="code">The status code.</param>
    public static string WireName(this RpcStatusCode code) => code switch
    {
        RpcStatusCode.OK => "OK",
        RpcStatusCode.Cancelled => "CANCELLED",
        RpcStatusCode.Unknown => "UNKNOWN",
        RpcStatusCode.InvalidArgument => "INVALID_ARGUMENT",
        RpcStatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        RpcStatusCode.NotFound => "NOT_FOUND",
        RpcStatusCode.AlreadyExists => "ALREADY_EXISTS",
        RpcStatusCode.PermissionDenied => "PERMISSION_DENIED",
        RpcStatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        RpcStatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        RpcStatusCode.Aborted => "ABORTED",
        RpcStatusCode.OutOfRange => "OUT_OF_RANGE",
        RpcStatusCode.Unimplemented => "UNIMPLEMENTED",
        RpcStatusCode.Internal => "INTERNAL",
        RpcStatusCode.Unavailable => "UNAVAILABLE",
        RpcStatusCode.DataLoss => "DATA_LOSS",
        RpcStatusCode.Unauthenticated => "UNAUTHENTICATED",
        _ => "UNKNOWN",
    };

    /// <summary>
    /// The HTTP status an HTTP/JSON error carries for <paramref name="code"/>: the mapping of Google's
    /// API design guide (google.rpc.Code), so browsers and proxies see a meaningful status.
    /// </summary>
    /// <param name="code">The status code.</param>
    public static int ToHttpStatus(this RpcStatusCode code) => code switch
    {
        RpcStatusCode.OK => 200,
        RpcStatusCode.Cancelled => 499,
        RpcStatusCode.InvalidArgument or RpcStatusCode.FailedPrecondition or RpcStatusCode.OutOfRange => 400,
        RpcStatusCode.Unauthenticated => 401,
        RpcStatusCode.PermissionDenied => 403,
        RpcStatusCode.NotFound => 404,
        RpcStatusCode.AlreadyExists or RpcStatusCode.Aborted => 409,
        RpcStatusCode.ResourceExhausted => 429,
        RpcStatusCode.Unimplemented => 501,
        RpcStatusCode.Unavailable => 503,
        RpcStatusCode.DeadlineExceeded => 504,
        _ => 500,
    };

    /// <summary>
    /// The status a gRPC client synthesizes when a response carries a non-200 HTTP status and no
    /// <c>grpc-status</c> (grpc/grpc doc/http-grpc-status-mapping.md), e.g. from a proxy in between.
    /// </summary>
    /// <param name="httpStatus">The HTTP status of the response.</param>
    public static RpcStatusCode FromHttpStatus(int httpStatus) => httpStatus switch
    {
        400 => RpcStatusCode.Internal,
        401 => RpcStatusCode.Unauthenticated,
        403 => RpcStatusCode.PermissionDenied,
        404 => RpcStatusCode.Unimplemented,
        429 or 502 or 503 or 504 => RpcStatusCode.Unavailable,
        _ => RpcStatusCode.Unknown,
    };
}
