using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Threshold.Rpc.Wire;

namespace Threshold.Rpc.Server;

/// <summary>The outcome of running one call: a response, or the status to send instead.</summary>
internal readonly record struct CallOutcome(IMessage? Response, RpcException? Error, RpcContext? Context, bool CallerGone);

/// <summary>
/// What gRPC and HTTP/JSON calls share: the deadline from <c>grpc-timeout</c>, the context, running the
/// handler under the deadline, and turning every failure into a status. Unexpected exceptions are
/// logged here and reach the caller only as INTERNAL "internal error".
/// </summary>
internal static partial class CallExecution
{
    public static async Task<CallOutcome> RunAsync(
        HttpContext http,
        RpcMethodEntry method,
        RpcProtocol protocol,
        Func<CancellationToken, ValueTask<IMessage>> readRequest,
        ILogger logger)
    {
        var timeoutHeader = http.Request.Headers["grpc-timeout"].ToString();
        TimeSpan? timeout = null;
        if (timeoutHeader.Length > 0 && !GrpcTimeout.TryParse(timeoutHeader, out timeout))
        {
            return new CallOutcome(null, new RpcException(RpcStatusCode.Internal, "malformed grpc-timeout"), null, false);
        }

        using var deadline = timeout is { } t ? new CancellationTokenSource(t) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadline?.Token ?? CancellationToken.None);
        var context = new RpcContext(
            method.Path,
            protocol,
            timeout is { } d ? DateTimeOffset.UtcNow + d : null,
            linked.Token,
            RequestMetadata(http.Request.Headers),
            http.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, http.Connection.RemotePort) : null,
            http.Connection.ClientCertificate);
        Task<IMessage>? handler = null;
        try
        {
            var request = await readRequest(linked.Token).ConfigureAwait(false);
            handler = method.InvokeAsync(request, context);
            var response = await handler.WaitAsync(linked.Token).ConfigureAwait(false);
            return new CallOutcome(response, null, context, false);
        }
        catch (RpcException e)
        {
            return new CallOutcome(null, e, context, false);
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true)
        {
            return new CallOutcome(null, new RpcException(RpcStatusCode.DeadlineExceeded, "deadline exceeded"), context, false);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller reset the stream or disconnected: nobody is left to tell.
            return new CallOutcome(null, new RpcException(RpcStatusCode.Cancelled, "cancelled by the caller"), context, true);
        }
        catch (Exception e)
        {
            LogHandlerFailure(logger, e, method.Path);
            return new CallOutcome(null, new RpcException(RpcStatusCode.Internal, "internal error"), context, false);
        }
        finally
        {
            // A handler that outlives its deadline must not fault unobserved.
            if (handler is { IsCompleted: false })
            {
                _ = handler.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Lets a request body through Kestrel's size limit; the readers enforce ours per message.</summary>
    public static void LiftBodySizeLimit(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }

    private static RpcMetadata RequestMetadata(IHeaderDictionary headers)
    {
        var metadata = new RpcMetadata();
        foreach (var (key, values) in headers)
        {
            if (RpcMetadata.IsReserved(key))
            {
                continue;
            }

            foreach (var value in values)
            {
                if (value is not null)
                {
                    metadata.AddFromWire(key, value);
                }
            }
        }

        return metadata;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "RPC handler of {Method} failed; the caller sees INTERNAL")]
    private static partial void LogHandlerFailure(ILogger logger, Exception exception, string method);
}
