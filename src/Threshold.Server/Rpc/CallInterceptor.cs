using System.Diagnostics;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Threshold.Contracts;
using Threshold.Contracts.V1;

namespace Threshold.Server.Rpc;

/// <summary>
/// In front of every method of every <see cref="ServiceHost"/>: the one place where a service's outcome
/// becomes a gRPC status, and where calls are logged.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A refusal (<see cref="ThresholdException"/>, a node's or the aggregator's) maps to its status with
/// its short, non-secret message, and its <see cref="Error"/> goes in the status details (the
/// <c>grpc-status-details-bin</c> trailer); input that does not decode (<see cref="DecodingException"/>)
/// is INVALID_ARGUMENT the same way.</item>
/// <item>Cancellation: past the call's deadline it is DEADLINE_EXCEEDED; a caller that went away (the
/// aggregator cancels slow nodes once it has a quorum) is CANCELLED. Both are normal and logged at Debug,
/// without a stack trace.</item>
/// <item>Anything else is logged as an error on the server and reaches the caller only as INTERNAL
/// "internal error": exception texts can hold secrets and never leave the server.</item>
/// </list>
/// Message limits and the deadline itself are Grpc.AspNetCore's (<see cref="ServiceHostOptions"/>): an
/// oversized gRPC message is RESOURCE_EXHAUSTED before any handler runs (a JSON request here, once parsed:
/// Kestrel bounds what it buffers); the deadline fires the call's token.
/// </remarks>
public sealed class CallInterceptor(ILogger<CallInterceptor> logger, IOptions<GrpcServiceOptions> options) : Interceptor
{
    private readonly int maxReceiveMessageSize = options.Value.MaxReceiveMessageSize ?? ServiceHostOptions.DefaultMaxMessageSize;

    /// <summary>What a caller sees of an unexpected failure.</summary>
    public const string InternalError = "internal error";

    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            // gRPC and gRPC-Web frames over the limit never get here; a JSON body (transcoding) is parsed
            // first, so only its size is checked now (measuring every gRPC request again would cost each call).
            if (request is IMessage message && !IsGrpc(context) && message.CalculateSize() > maxReceiveMessageSize)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"the request exceeds the limit of {maxReceiveMessageSize} bytes"));
            }

            var response = await continuation(request, context).ConfigureAwait(false);
            CallLog.Completed(logger, context.Method, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (RpcException e)
        {
            CallLog.Refused(logger, context.Method, e.StatusCode, e.Status.Detail);
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var status = StatusOf(e, context);
            switch (status.StatusCode)
            {
                case StatusCode.Cancelled or StatusCode.DeadlineExceeded:
                    CallLog.Cancelled(logger, context.Method, status.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    break;
                case StatusCode.Internal:
                    CallLog.Failed(logger, context.Method, e);
                    break;
                default:
                    CallLog.Refused(logger, context.Method, status.StatusCode, status.Detail);
                    break;
            }

            throw new RpcException(status);
        }
    }

    /// <summary>Whether the call came as gRPC or gRPC-Web (Grpc.AspNetCore bounds its frames), not as JSON.</summary>
    private static bool IsGrpc(ServerCallContext context) =>
        context.GetHttpContext().Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The status a failure of a method answers with (see the remarks).</summary>
    internal static Status StatusOf(Exception e, ServerCallContext context)
    {
        switch (e)
        {
            case ThresholdException refusal:
                return Refusal(refusal, context);
            case DecodingException decoding:
                return Refusal(new ThresholdException(ErrorCode.InvalidArgument, decoding.Message), context);
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return context.Deadline <= DateTime.UtcNow
                    ? new Status(StatusCode.DeadlineExceeded, "deadline exceeded")
                    : new Status(StatusCode.Cancelled, "call cancelled");
            default:
                return new Status(StatusCode.Internal, InternalError);
        }
    }

    /// <summary>A refusal's status, its <see cref="Error"/> added to the call's trailers.</summary>
    private static Status Refusal(ThresholdException refusal, ServerCallContext context)
    {
        var (status, details) = refusal.ToStatus();
        context.ResponseTrailers.Add(ThresholdException.StatusDetailsTrailer, details);
        return status;
    }
}

/// <summary>The calls' log events: stable ids, structured fields, no request contents.</summary>
internal static partial class CallLog
{
    [LoggerMessage(EventId = 3001, EventName = "CallCompleted", Level = LogLevel.Debug, Message = "{Method} completed in {ElapsedMs:0.0} ms")]
    public static partial void Completed(ILogger logger, string method, double elapsedMs);

    [LoggerMessage(EventId = 3002, EventName = "CallRefused", Level = LogLevel.Debug, Message = "{Method} answered {Status}: {Detail}")]
    public static partial void Refused(ILogger logger, string method, StatusCode status, string detail);

    [LoggerMessage(EventId = 3003, EventName = "CallCancelled", Level = LogLevel.Debug, Message = "{Method} ended {Status} after {ElapsedMs:0.0} ms (the caller went away or its deadline passed)")]
    public static partial void Cancelled(ILogger logger, string method, StatusCode status, double elapsedMs);

    [LoggerMessage(EventId = 3004, EventName = "CallFailed", Level = LogLevel.Error, Message = "{Method} failed unexpectedly; the caller got INTERNAL")]
    public static partial void Failed(ILogger logger, string method, Exception exception);
}
