using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Threshold.Rpc.Server;

namespace Threshold.Rpc.Hosting;

/// <summary>
/// A Kestrel server that serves an <see cref="RpcServiceRegistry"/> on one endpoint: TLS 1.2+ with
/// ALPN (HTTP/2 for gRPC, HTTP/1.1 too for browsers' JSON calls), optional mutual TLS, and
/// <c>GET /healthz</c>. Started with <see cref="StartAsync"/>, stopped gracefully on dispose.
/// </summary>
public sealed class RpcHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly TimeSpan shutdownTimeout;
    private int stopped;

    private RpcHost(WebApplication app, IPEndPoint endPoint, bool tls, TimeSpan shutdownTimeout)
    {
        this.app = app;
        this.shutdownTimeout = shutdownTimeout;
        EndPoint = endPoint;
        var host = endPoint.Address switch
        {
            var a when a.Equals(IPAddress.Any) => IPAddress.Loopback,
            var a when a.Equals(IPAddress.IPv6Any) => IPAddress.IPv6Loopback,
            var a => a,
        };
        Address = new Uri($"{(tls ? "https" : "http")}://{new IPEndPoint(host, endPoint.Port)}");
    }

    /// <summary>The bound address and port (the real port when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>A URI to reach the host; an unspecified bind address (0.0.0.0, ::) is given as loopback.</summary>
    public Uri Address { get; }

    /// <summary>Builds the host and starts listening.</summary>
    /// <param name="services">The methods to serve.</param>
    /// <param name="options">Address, TLS and limits.</param>
    /// <param name="configure">Adds more endpoints or middleware after the RPC server (e.g. a discovery document); may be null.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    public static async Task<RpcHost> StartAsync(
        RpcServiceRegistry services,
        RpcHostOptions options,
        Action<WebApplication>? configure = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Certificate is null && options.ClientCertificates != ClientCertificateRequirement.None)
        {
            throw new ArgumentException("client certificates need TLS: set a server certificate", nameof(options));
        }

        // An empty builder reads no configuration files or environment variables: the host does exactly what the options say.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddLogging();
        if (options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.Services.AddRoutingCore();
        options.Services?.Invoke(builder.Services);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.EndPoint, listen => ConfigureListener(listen, options));
        });

        var app = builder.Build();
        options.Middleware?.Invoke(app);
        app.UseRpc(services, options.Server);
        if (options.HealthEndpoint)
        {
            app.MapGet("/healthz", static (HttpContext http) => http.Response.WriteAsync("ok", http.RequestAborted));
        }

        try
        {
            configure?.Invoke(app);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var bound = BoundEndPoint(app, options.EndPoint);
            return new RpcHost(app, bound, options.Certificate is not null, options.ShutdownTimeout);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false); // e.g. the port is taken: release what was built
            throw;
        }
    }

    /// <summary>Stops accepting calls and waits (up to the shutdown timeout) for calls in progress.</summary>
    /// <param name="cancellationToken">Cuts the wait short.</param>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref stopped, 1) == 0)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(shutdownTimeout);
            await app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
    }

    /// <summary>Stops gracefully, then releases the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private static void ConfigureListener(ListenOptions listen, RpcHostOptions options)
    {
        if (options.Certificate is null)
        {
            listen.Protocols = HttpProtocols.Http2;
            return;
        }

        listen.Protocols = HttpProtocols.Http1AndHttp2;
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = options.Certificate,
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ClientCertificateMode = options.ClientCertificates switch
            {
                ClientCertificateRequirement.Required => ClientCertificateMode.RequireCertificate,
                ClientCertificateRequirement.Optional => ClientCertificateMode.AllowCertificate,
                _ => ClientCertificateMode.NoCertificate,
            },
            ClientCertificateValidation = options.ClientCertificateValidator,
        });
    }

    private static IPEndPoint BoundEndPoint(WebApplication app, IPEndPoint requested)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0)
            {
                return new IPEndPoint(requested.Address, uri.Port);
            }
        }

        throw new SocketException((int)SocketError.AddressNotAvailable);
    }
}
