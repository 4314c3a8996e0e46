using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Threshold.Contracts.V1;

namespace Threshold.Contracts;

/// <summary>
/// A refusal by a node or the aggregator, in the one vocabulary of threshold.v1 (<see cref="ErrorCode"/>,
/// errors.proto). Nothing was changed. The message is short and never secret: it reaches the caller.
/// </summary>
public sealed class ThresholdException(ErrorCode code, string message) : Exception(message)
{
    /// <summary>The metadata key of the google.rpc.Status that carries the <see cref="Error"/> (the gRPC convention).</summary>
    public const string StatusDetailsTrailer = "grpc-status-details-bin";

    /// <summary>Why.</summary>
    public ErrorCode Code { get; } = code;

    /// <summary>For <see cref="ErrorCode.LoginLocked"/>: when the next login attempt becomes possible.</summary>
    public DateTimeOffset? LockedUntil { get; init; }

    /// <summary>The gRPC status code each error travels with.</summary>
    public static StatusCode StatusCodeOf(ErrorCode code) => code switch
    {
        ErrorCode.InvalidArgument => StatusCode.InvalidArgument,
        ErrorCode.NotFound => StatusCode.NotFound,
        ErrorCode.PermissionDenied => StatusCode.PermissionDenied,
        ErrorCode.Unauthenticated => StatusCode.Unauthenticated,
        ErrorCode.FailedPrecondition => StatusCode.FailedPrecondition,
        ErrorCode.ResourceExhausted or ErrorCode.LoginLocked => StatusCode.ResourceExhausted,
        ErrorCode.Unavailable => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>This refusal as it travels: its status, and the status details to put in <see cref="StatusDetailsTrailer"/>.</summary>
    public (Status Status, byte[] Details) ToStatus()
    {
        var error = new Error { Code = Code, Message = Message, LockedUntilUnixMs = LockedUntil?.ToUnixTimeMilliseconds() ?? 0 };
        var code = StatusCodeOf(Code);
        var details = new Google.Rpc.Status { Code = (int)code, Message = Message, Details = { Any.Pack(error) } };
        return (new Status(code, Message), details.ToByteArray());
    }

    /// <summary>
    /// The refusal a failed call carries: its <see cref="Error"/> when the status details hold one that
    /// agrees with the status code; otherwise the error the bare status code stands for (a call that
    /// never reached a Threshold service: unreachable, cancelled, refused by a proxy) or null for codes
    /// that name no refusal (UNAVAILABLE from the transport stays <see cref="ErrorCode.Unavailable"/>).
    /// </summary>
    public static ThresholdException? FromRpc(RpcException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (DetailOf(e) is { } error && StatusCodeOf(error.Code) == e.StatusCode)
        {
            return new ThresholdException(error.Code, e.Status.Detail)
            {
                LockedUntil = error.Code == ErrorCode.LoginLocked
                    ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(error.LockedUntilUnixMs, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))
                    : null,
            };
        }

        ErrorCode? code = e.StatusCode switch
        {
            StatusCode.InvalidArgument => ErrorCode.InvalidArgument,
            StatusCode.NotFound => ErrorCode.NotFound,
            StatusCode.PermissionDenied => ErrorCode.PermissionDenied,
            StatusCode.Unauthenticated => ErrorCode.Unauthenticated,
            StatusCode.FailedPrecondition => ErrorCode.FailedPrecondition,
            StatusCode.ResourceExhausted => ErrorCode.ResourceExhausted,
            _ => null,
        };
        return code is { } known ? new ThresholdException(known, e.Status.Detail) : null;
    }

    /// <summary>The <see cref="Error"/> in a failed call's status details, if it sent one that parses.</summary>
    private static Error? DetailOf(RpcException e)
    {
        if (e.Trailers.GetValueBytes(StatusDetailsTrailer) is not { } bytes)
        {
            return null;
        }

        try
        {
            var status = Google.Rpc.Status.Parser.ParseFrom(bytes);
            return status.Details.FirstOrDefault(d => d.Is(Error.Descriptor)) is { } any ? any.Unpack<Error>() : null;
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}
