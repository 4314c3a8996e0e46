using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Threshold.Rpc.Wire;

namespace Threshold.Rpc.Server;

/// <summary>
/// Serves one call in the gRPC wire protocol (grpc/grpc doc/PROTOCOL-HTTP2.md): HTTP/2 POST,
/// <c>application/grpc</c>, one length-prefixed request message, then response headers, one message
/// and <c>grpc-status</c> trailers; or, on any error, a trailers-only response.
/// </summary>
internal sealed class GrpcCall(RpcServerOptions options, ILogger logger)
{
    public async Task HandleAsync(HttpContext http, RpcMethodEntry method)
    {
        if (!AcceptsTransport(http))
        {
            return;
        }

        CallExecution.LiftBodySizeLimit(http);
        var encoding = http.Request.Headers["grpc-encoding"].ToString();
        var outcome = await CallExecution.RunAsync(http, method, RpcProtocol.Grpc, async token =>
        {
            var bytes = await GrpcFrame.ReadSingleAsync(
                http.Request.BodyReader, options.MaxReceiveMessageSize, encoding.Length == 0 ? null : encoding, "request", token)
                .ConfigureAwait(false);
            try
            {
                return method.ParseBinary(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                throw new RpcException(RpcStatusCode.Internal, $"request is not a valid {method.RequestDescriptor.FullName}");
            }
        }, logger).ConfigureAwait(false);
        if (outcome.CallerGone)
        {
            return;
        }

        var error = outcome.Error;
        if (outcome.Response is { } response)
        {
            var size = response.CalculateSize();
            if (size <= options.MaxSendMessageSize)
            {
                await WriteResponseAsync(http, response, size, outcome.Context!.ResponseTrailers).ConfigureAwait(false);
                return;
            }

            error = new RpcException(RpcStatusCode.ResourceExhausted, $"response message of {size} bytes exceeds the limit of {options.MaxSendMessageSize}");
        }

        WriteTrailersOnly(http, error!.StatusCode, error.Detail, outcome.Context?.ResponseTrailers);
    }

    /// <summary>A gRPC request for a path nobody registered.</summary>
    public static void HandleUnknown(HttpContext http)
    {
        if (AcceptsTransport(http))
        {
            WriteTrailersOnly(http, RpcStatusCode.Unimplemented, "unknown method", null);
        }
    }

    /// <summary>Checks what must hold before a gRPC status can be sent at all, answering plain HTTP otherwise.</summary>
    private static bool AcceptsTransport(HttpContext http)
    {
        if (!HttpProtocol.IsHttp2(http.Request.Protocol))
        {
            // HTTP/1.1 cannot carry the trailers that hold a gRPC status.
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            http.Response.Headers.Upgrade = "h2";
            return false;
        }

        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            http.Response.Headers.Allow = "POST";
            return false;
        }

        if (!ContentTypes.IsGrpcProto(http.Request.ContentType))
        {
            // application/grpc+json, grpc-web and others are not served.
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return false;
        }

        return true;
    }

    private static async Task WriteResponseAsync(HttpContext http, IMessage response, int size, RpcMetadata trailers)
    {
        var reply = http.Response;
        reply.StatusCode = StatusCodes.Status200OK;
        reply.ContentType = ContentTypes.Grpc;
        reply.Headers["grpc-accept-encoding"] = "identity";
        reply.AppendTrailer("grpc-status", "0");
        foreach (var entry in trailers)
        {
            reply.AppendTrailer(entry.Key, RpcMetadata.WireValue(entry));
        }

        try
        {
            GrpcFrame.Write(reply.BodyWriter, response, size);
            await reply.BodyWriter.FlushAsync(http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The caller went away mid-response; Kestrel resets the stream.
        }
    }

    internal static void WriteTrailersOnly(HttpContext http, RpcStatusCode code, string message, RpcMetadata? trailers)
    {
        var headers = http.Response.Headers;
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = ContentTypes.Grpc;
        headers["grpc-accept-encoding"] = "identity";
        headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        if (message.Length > 0)
        {
            headers["grpc-message"] = StatusMessage.Encode(message);
        }

        foreach (var entry in trailers ?? Enumerable.Empty<RpcMetadataEntry>())
        {
            headers.Append(entry.Key, RpcMetadata.WireValue(entry));
        }
    }
}
