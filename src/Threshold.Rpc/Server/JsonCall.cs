using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Threshold.Rpc.Wire;

namespace Threshold.Rpc.Server;

/// <summary>
/// Serves one call as HTTP/JSON: <c>POST /package.Service/Method</c> with a JSON body in protobuf's JSON
/// mapping, answered with the JSON response, or an error body <c>{"code", "status", "message"}</c>
/// under the HTTP status of <see cref="RpcStatusCodes.ToHttpStatus"/>. Works over HTTP/1.1 and HTTP/2.
/// </summary>
internal sealed class JsonCall(RpcServerOptions options, ILogger logger)
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly HashSet<string> corsOrigins = new(options.CorsOrigins, StringComparer.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext http, RpcMethodEntry method)
    {
        if (!AcceptsRequest(http))
        {
            return;
        }

        CallExecution.LiftBodySizeLimit(http);
        var outcome = await CallExecution.RunAsync(http, method, RpcProtocol.HttpJson, async token =>
        {
            var body = await ReadBodyAsync(http.Request.BodyReader, options.MaxReceiveMessageSize, token).ConfigureAwait(false);
            try
            {
                var json = body.Length == 0 ? "{}" : StrictUtf8.GetString(body);
                return Parser.Parse(json, method.RequestDescriptor);
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException)
            {
                // InvalidJsonException and InvalidProtocolBufferException are IOExceptions.
                throw new RpcException(RpcStatusCode.InvalidArgument, $"request is not valid JSON for {method.RequestDescriptor.FullName}");
            }
        }, logger).ConfigureAwait(false);
        if (outcome.CallerGone)
        {
            return;
        }

        var error = outcome.Error;
        if (outcome.Response is { } response)
        {
            var bytes = Encoding.UTF8.GetBytes(Formatter.Format(response));
            if (bytes.Length <= options.MaxSendMessageSize)
            {
                AddMetadata(http, outcome.Context!.ResponseTrailers);
                http.Response.StatusCode = StatusCodes.Status200OK;
                http.Response.ContentType = "application/json; charset=utf-8";
                await WriteAsync(http, bytes).ConfigureAwait(false);
                return;
            }

            error = new RpcException(RpcStatusCode.ResourceExhausted, $"response message of {bytes.Length} bytes exceeds the limit of {options.MaxSendMessageSize}");
        }

        if (outcome.Context is { } context)
        {
            AddMetadata(http, context.ResponseTrailers);
        }

        await WriteErrorAsync(http, error!.StatusCode, error.Detail).ConfigureAwait(false);
    }

    /// <summary>A JSON request for an unregistered method of a registered service.</summary>
    public Task HandleUnknownAsync(HttpContext http) =>
        AcceptsRequest(http) ? WriteErrorAsync(http, RpcStatusCode.Unimplemented, "unknown method") : Task.CompletedTask;

    /// <summary>Answers CORS preflights and plain HTTP errors; true when the request is a call to run.</summary>
    private bool AcceptsRequest(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        var allowed = origin.Length > 0 && corsOrigins.Contains(origin);
        if (allowed)
        {
            http.Response.Headers.AccessControlAllowOrigin = origin;
            http.Response.Headers.Vary = "Origin";
        }

        if (HttpMethods.IsOptions(http.Request.Method))
        {
            Preflight(http, allowed);
            return false;
        }

        if (!HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            http.Response.Headers.Allow = "POST, OPTIONS";
            return false;
        }

        // Requiring application/json also forces a CORS preflight on cross-origin calls, so a foreign
        // page cannot fire a call as a "simple request" (text/plain or no content-type).
        if (!ContentTypes.IsJson(http.Request.ContentType))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return false;
        }

        return true;
    }

    private static void Preflight(HttpContext http, bool allowed)
    {
        var method = http.Request.Headers.AccessControlRequestMethod.ToString();
        if (!allowed || !HttpMethods.IsPost(method))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var headers = http.Response.Headers;
        headers.AccessControlAllowMethods = "POST";
        if (http.Request.Headers.AccessControlRequestHeaders.ToString() is { Length: > 0 } requested)
        {
            headers.AccessControlAllowHeaders = requested;
        }

        headers.AccessControlMaxAge = "600";
        http.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async ValueTask<byte[]> ReadBodyAsync(PipeReader reader, int maxSize, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > maxSize)
            {
                reader.AdvanceTo(buffer.Start);
                throw new RpcException(RpcStatusCode.ResourceExhausted, $"request body exceeds the limit of {maxSize} bytes");
            }

            if (result.IsCompleted)
            {
                var body = buffer.ToArray();
                reader.AdvanceTo(buffer.End);
                return body;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static void AddMetadata(HttpContext http, RpcMetadata metadata)
    {
        foreach (var entry in metadata)
        {
            http.Response.Headers.Append(entry.Key, RpcMetadata.WireValue(entry));
        }
    }

    internal static Task WriteErrorAsync(HttpContext http, RpcStatusCode code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("code", (int)code);
            json.WriteString("status", code.WireName());
            json.WriteString("message", message);
            json.WriteEndObject();
        }

        http.Response.StatusCode = code.ToHttpStatus();
        http.Response.ContentType = "application/json; charset=utf-8";
        return WriteAsync(http, buffer.WrittenMemory.ToArray());
    }

    private static async Task WriteAsync(HttpContext http, byte[] body)
    {
        http.Response.ContentLength = body.Length;
        try
        {
            await http.Response.Body.WriteAsync(body, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The caller went away; nothing to do.
        }
    }
}
