namespace Threshold.Rpc;

/// <summary>
/// A call ended with a non-OK status. Thrown by handlers to choose the status a caller sees, and by
/// <see cref="Client.RpcClient"/> when a call fails. <see cref="Detail"/> travels to the caller, so it
/// must never hold a secret; any other exception a handler throws reaches the caller only as
/// <see cref="RpcStatusCode.Internal"/> with a generic message.
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates the error with the status a caller will see.</summary>
    /// <param name="statusCode">The status; must not be <see cref="RpcStatusCode.OK"/>.</param>
    /// <param name="detail">A message for the caller (sent on the wire; no secrets).</param>
    public RpcException(RpcStatusCode statusCode, string detail)
        : this(statusCode, detail, null, null)
    {
    }

    /// <summary>Creates the error with trailers received from a server or a local cause.</summary>
    /// <param name="statusCode">The status; must not be <see cref="RpcStatusCode.OK"/>.</param>
    /// <param name="detail">A message for the caller.</param>
    /// <param name="trailers">Metadata received with the status (null: none).</param>
    /// <param name="innerException">The local failure behind the status, if any (never sent anywhere).</param>
    public RpcException(RpcStatusCode statusCode, string detail, RpcMetadata? trailers, Exception? innerException)
        : base($"{statusCode.WireName()}: {detail}", innerException)
    {
        if (statusCode == RpcStatusCode.OK)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), "an error cannot carry status OK");
        }

        StatusCode = statusCode;
        Detail = detail ?? string.Empty;
        Trailers = trailers ?? new RpcMetadata();
    }

    /// <summary>The status of the failed call.</summary>
    public RpcStatusCode StatusCode { get; }

    /// <summary>The status message (the <c>grpc-message</c> trailer).</summary>
    public string Detail { get; }

    /// <summary>Metadata the server sent with the status (client side); empty when thrown locally.</summary>
    public RpcMetadata Trailers { get; }
}
