using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.AspNetCore.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Threshold.Server.Rpc;

/// <summary>
/// One Kestrel endpoint serving gRPC services with Grpc.AspNetCore, configured in one place: TLS with
/// optional mutual TLS, message limits, the <see cref="CallInterceptor"/> (error mapping, cancellation
/// and deadlines, logging) in front of every method, and on request the standard health service,
/// server reflection, gRPC-Web, JSON transcoding and CORS. Started with <see cref="StartAsync"/>,
/// stopped gracefully on dispose.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly TimeSpan shutdownTimeout;
    private int stopped;

    private ServiceHost(WebApplication app, IPEndPoint endPoint, bool tls, TimeSpan shutdownTimeout)
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
    /// <param name="options">Address, TLS, limits and the standard services to add.</param>
    /// <param name="services">Registers the services' dependencies (and per-service interceptors).</param>
    /// <param name="endpoints">Maps the gRPC services (<c>MapGrpcService</c>) and any other endpoint.</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    public static async Task<ServiceHost> StartAsync(
        ServiceHostOptions options,
        Action<IServiceCollection> services,
        Action<WebApplication> endpoints,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(endpoints);
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
        var grpc = builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.MaxReceiveMessageSize;
            grpc.MaxSendMessageSize = options.MaxSendMessageSize;
            grpc.EnableDetailedErrors = false; // exception texts never leave the server
            grpc.Interceptors.Add<CallInterceptor>();
        });
        if (options.JsonTranscoding)
        {
            grpc.AddJsonTranscoding();
        }

        if (options.Reflection)
        {
            builder.Services.AddGrpcReflection();
        }

        if (options.Health is { } health)
        {
            builder.Services.AddGrpcHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration("threshold", new HealthStateCheck(health), null, null));
        }

        var cors = options.CorsOrigins.Count > 0;
        if (cors)
        {
            builder.Services.AddCors(c => c.AddDefaultPolicy(policy => policy
                .WithOrigins([.. options.CorsOrigins])
                .WithMethods("GET", "POST")
                .AllowAnyHeader()
                .WithExposedHeaders("grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding", "grpc-accept-encoding")));
        }

        services(builder.Services);
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // gRPC calls have their own limit (Grpc.AspNetCore lifts this one for them); this bounds what a
            // JSON or gRPC-Web body may buffer: the message limit with room for JSON's and base64's overhead.
            kestrel.Limits.MaxRequestBodySize = (2L * options.MaxReceiveMessageSize) + (64 * 1024);
            kestrel.Listen(options.EndPoint, listen => ConfigureListener(listen, options));
        });

        var app = builder.Build();
        if (cors)
        {
            app.UseCors();
        }

        if (options.GrpcWeb)
        {
            app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        }

        try
        {
            endpoints(app);
            if (options.Reflection)
            {
                app.MapGrpcReflectionService();
            }

            if (options.Health is { } served)
            {
                app.MapGrpcHealthChecksService();
                served.MapEndpoint(app);
            }

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            return new ServiceHost(app, BoundEndPoint(app, options.EndPoint), options.Certificate is not null, options.ShutdownTimeout);
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

    private static void ConfigureListener(ListenOptions listen, ServiceHostOptions options)
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
