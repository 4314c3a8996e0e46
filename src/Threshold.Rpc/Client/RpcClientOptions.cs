using System.Security.Cryptography.X509Certificates;
using Threshold.Rpc.Server;

namespace Threshold.Rpc.Client;

/// <summary>How an <see cref="RpcClient"/> trusts its server and identifies itself.</summary>
public sealed record RpcClientOptions
{
    /// <summary>
    /// Trust exactly this server certificate (compared by SHA-256 of its encoding), whatever its issuer,
    /// validity dates or names: how the demo cluster's self-signed certificates are trusted.
    /// Exclusive with <see cref="TrustedRoots"/>.
    /// </summary>
    public X509Certificate2? PinnedServerCertificate { get; init; }

    /// <summary>
    /// Trust server certificates that chain to one of these roots (and only these; the system store is
    /// ignored) and name the host being called. Null with no pin: the system's trust store.
    /// </summary>
    public X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>The certificate (with private key) presented when the server asks for one (mutual TLS).</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>The largest response message accepted, in bytes; larger fails with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; init; } = RpcServerOptions.DefaultMaxMessageSize;

    /// <summary>The largest request message sent, in bytes; larger fails with RESOURCE_EXHAUSTED before sending.</summary>
    public int MaxSendMessageSize { get; init; } = RpcServerOptions.DefaultMaxMessageSize;

    /// <summary>The timeout of calls that set neither a timeout nor a deadline (null: wait as long as it takes).</summary>
    public TimeSpan? DefaultTimeout { get; init; }

    /// <summary>How long opening a connection (TCP and TLS) may take before the call fails with UNAVAILABLE.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Per-call settings.</summary>
public sealed record RpcCallOptions
{
    /// <summary>How long the call may take from now; with <see cref="Deadline"/> too, the earlier wins.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>When the call must have finished.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Metadata sent as request headers.</summary>
    public RpcMetadata? Headers { get; init; }
}

/// <summary>A successful call's response with the metadata that came with it.</summary>
/// <typeparam name="TResponse">The response message.</typeparam>
/// <param name="Message">The response.</param>
/// <param name="Headers">Response headers (application metadata only).</param>
/// <param name="Trailers">Trailers (application metadata only; the status is not repeated here).</param>
public sealed record RpcReply<TResponse>(TResponse Message, RpcMetadata Headers, RpcMetadata Trailers);
