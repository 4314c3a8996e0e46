using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Threshold.Rpc.Server;

namespace Threshold.Rpc.Hosting;

/// <summary>Whether the host asks callers for a TLS client certificate.</summary>
public enum ClientCertificateRequirement
{
    /// <summary>No client certificate is requested.</summary>
    None,
    /// <summary>Requested; callers without one are served, callers with one must pass validation.</summary>
    Optional,
    /// <summary>Mutual TLS: the handshake fails without a certificate that passes validation.</summary>
    Required,
}

/// <summary>Where and how <see cref="RpcHost"/> listens.</summary>
public sealed record RpcHostOptions
{
    /// <summary>The address to bind; port 0 picks a free port (see <see cref="RpcHost.EndPoint"/>). Default: 127.0.0.1:0.</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>
    /// The server certificate with its private key. Null serves cleartext HTTP/2 (h2c, prior knowledge
    /// only, no HTTP/1.1): meant for tests, never for a deployment.
    /// </summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Whether to ask callers for a client certificate (needs <see cref="Certificate"/>).</summary>
    public ClientCertificateRequirement ClientCertificates { get; init; } = ClientCertificateRequirement.None;

    /// <summary>
    /// Decides whether a presented client certificate is accepted (for example: its SHA-256 thumbprint
    /// is a known node's). Null applies the platform's chain validation against the system store, which
    /// rejects self-signed certificates.
    /// </summary>
    public Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool>? ClientCertificateValidator { get; init; }

    /// <summary>Limits and CORS of the RPC server.</summary>
    public RpcServerOptions Server { get; init; } = new();

    /// <summary>Whether <c>GET /healthz</c> answers 200 "ok".</summary>
    public bool HealthEndpoint { get; init; } = true;

    /// <summary>How long shutdown waits for calls in progress before cutting them off.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Adds services for <see cref="Middleware"/> (for example ASP.NET Core's rate limiter) before the
    /// host is built. Null: none.
    /// </summary>
    public Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? Services { get; init; }

    /// <summary>
    /// Middleware that runs before the RPC server sees a call (for example <c>UseRateLimiter()</c>); it
    /// may answer a call itself with <see cref="Server.RpcStatusResponse"/>. Null: none.
    /// </summary>
    public Action<Microsoft.AspNetCore.Builder.IApplicationBuilder>? Middleware { get; init; }

    /// <summary>Receives the host's and the RPC server's logs (null: none).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
