using Microsoft.AspNetCore.Http;
using Threshold.Rpc.Wire;

namespace Threshold.Rpc.Server;

/// <summary>
/// Answers a call with a status from middleware that runs before the RPC server (a rate limiter, an
/// authorisation check), in the caller's own protocol: a gRPC trailers-only response for gRPC, the JSON
/// error object with the status's HTTP code for HTTP/JSON. The call never reaches a handler.
/// </summary>
public static class RpcStatusResponse
{
    /// <summary>Writes <paramref name="code"/> with <paramref name="message"/> (sent to the caller: no secrets).</summary>
    public static Task WriteAsync(HttpContext http, RpcStatusCode code, string message)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(message);
        if (code == RpcStatusCode.OK)
        {
            throw new ArgumentOutOfRangeException(nameof(code), "a refusal cannot carry status OK");
        }

        if (ContentTypes.IsGrpcFamily(http.Request.ContentType))
        {
            GrpcCall.WriteTrailersOnly(http, code, message, null);
            return Task.CompletedTask;
        }

        return JsonCall.WriteErrorAsync(http, code, message);
    }
}
