using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Threshold.Server.Hosting;

namespace Threshold.Server.Rpc;

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

/// <summary>Where and how a <see cref="ServiceHost"/> listens, and which standard services it adds.</summary>
public sealed record ServiceHostOptions
{
    /// <summary>gRPC's default message limit, 4 MiB.</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>The address to bind; port 0 picks a free port (see <see cref="ServiceHost.EndPoint"/>). Default: 127.0.0.1:0.</summary>
    public IPEndPoint EndPoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>
    /// The server certificate with its private key: TLS 1.2/1.3, ALPN h2 and http/1.1 (gRPC-Web and JSON
    /// work on both). Null serves cleartext HTTP/2 only (h2c, prior knowledge): for tests, never a deployment.
    /// </summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>Whether to ask callers for a client certificate (needs <see cref="Certificate"/>).</summary>
    public ClientCertificateRequirement ClientCertificates { get; init; } = ClientCertificateRequirement.None;

    /// <summary>
    /// Decides whether a presented client certificate is accepted (for example: its SHA-256 thumbprint is
    /// the aggregator's). Null applies the platform's chain validation, which rejects self-signed certificates.
    /// </summary>
    public Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool>? ClientCertificateValidator { get; init; }

    /// <summary>The largest request message accepted, in bytes; larger is RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>The largest response message sent, in bytes; a larger reply is RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>
    /// The process's health: served by the standard gRPC health service (<c>grpc.health.v1.Health</c>;
    /// SERVING when healthy or degraded, NOT_SERVING when unhealthy) and as JSON at <c>GET /healthz</c>.
    /// Null: neither.
    /// </summary>
    public HealthState? Health { get; init; }

    /// <summary>Whether gRPC server reflection (<c>grpc.reflection.v1</c> and <c>v1alpha</c>) lists the services.</summary>
    public bool Reflection { get; init; }

    /// <summary>Whether browsers may call the services with gRPC-Web (<c>application/grpc-web</c>, <c>-text</c>).</summary>
    public bool GrpcWeb { get; init; }

    /// <summary>Whether the services' <c>google.api.http</c> routes are served as HTTP/JSON (JSON transcoding).</summary>
    public bool JsonTranscoding { get; init; }

    /// <summary>
    /// Browser origins (e.g. <c>https://wallet.example</c>) allowed to call cross-origin (gRPC-Web and
    /// JSON); empty allows none. Exact, case-insensitive matches only; no wildcards.
    /// </summary>
    public IReadOnlyCollection<string> CorsOrigins { get; init; } = [];

    /// <summary>How long shutdown waits for calls in progress before cutting them off.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Receives the host's and the calls' logs (null: none).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
