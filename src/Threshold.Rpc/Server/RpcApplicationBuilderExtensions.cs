using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Threshold.Rpc.Server;

/// <summary>Adds the RPC server to an ASP.NET Core pipeline you host yourself.</summary>
public static class RpcApplicationBuilderExtensions
{
    /// <summary>
    /// Serves the methods of <paramref name="services"/> over gRPC and HTTP/JSON. Requests for other
    /// paths pass on to the rest of the pipeline. The registry is frozen: later registrations throw.
    /// For gRPC, the endpoint must speak HTTP/2 (ALPN "h2" under TLS).
    /// </summary>
    /// <param name="app">The application pipeline.</param>
    /// <param name="services">The methods to serve.</param>
    /// <param name="options">Limits and CORS (null: defaults).</param>
    public static IApplicationBuilder UseRpc(this IApplicationBuilder app, RpcServiceRegistry services, RpcServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(services);
        options ??= new RpcServerOptions();
        if (options.MaxReceiveMessageSize <= 0 || options.MaxSendMessageSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "message size limits must be positive");
        }

        var methods = services.Freeze();
        var logger = app.ApplicationServices.GetService<ILoggerFactory>()?.CreateLogger("Threshold.Rpc") ?? NullLogger.Instance;
        return app.Use(next => new RpcDispatcher(next, methods, options, logger).InvokeAsync);
    }
}
