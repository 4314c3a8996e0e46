using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Threshold.Rpc.Wire;

namespace Threshold.Rpc.Server;

/// <summary>
/// The middleware: a request whose path is a registered method runs as gRPC or HTTP/JSON by its
/// content-type; any other gRPC request is UNIMPLEMENTED; a JSON request to an unknown method of a
/// registered service gets a JSON UNIMPLEMENTED; everything else goes to the next middleware.
/// </summary>
internal sealed class RpcDispatcher
{
    private readonly RequestDelegate next;
    private readonly FrozenDictionary<string, RpcMethodEntry> methods;
    private readonly FrozenSet<string> services;
    private readonly RpcServerOptions options;
    private readonly GrpcCall grpc;
    private readonly JsonCall json;

    public RpcDispatcher(RequestDelegate next, FrozenDictionary<string, RpcMethodEntry> methods, RpcServerOptions options, ILogger logger)
    {
        this.next = next;
        this.methods = methods;
        this.options = options;
        services = methods.Keys.Select(p => RpcMethod.ServiceOf(p)!).ToFrozenSet(StringComparer.Ordinal);
        grpc = new GrpcCall(options, logger);
        json = new JsonCall(options, logger);
    }

    public Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path.Value ?? string.Empty;
        var isGrpc = ContentTypes.IsGrpcFamily(http.Request.ContentType);
        if (isGrpc && !options.EnableGrpc)
        {
            return next(http);
        }

        if (methods.TryGetValue(path, out var method))
        {
            if (isGrpc)
            {
                return grpc.HandleAsync(http, method);
            }

            if (options.EnableHttpJson)
            {
                return json.HandleAsync(http, method);
            }

            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return Task.CompletedTask;
        }

        if (isGrpc)
        {
            GrpcCall.HandleUnknown(http);
            return Task.CompletedTask;
        }

        if (options.EnableHttpJson && RpcMethod.ServiceOf(path) is { } service && services.Contains(service))
        {
            return json.HandleUnknownAsync(http);
        }

        return next(http);
    }
}
