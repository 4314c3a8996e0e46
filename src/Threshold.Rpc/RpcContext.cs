using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Threshold.Rpc;

/// <summary>How a call reached the server.</summary>
public enum RpcProtocol
{
    /// <summary>The gRPC wire protocol over HTTP/2.</summary>
    Grpc,
    /// <summary>HTTP/JSON (protobuf's JSON mapping), typically from a browser.</summary>
    HttpJson,
}

/// <summary>
/// What a handler knows about its call besides the request: when it must finish, who called, and what
/// metadata came with it. Mirrors the parts of Grpc.Core's <c>ServerCallContext</c> we use.
/// </summary>
public sealed class RpcContext
{
    internal RpcContext(
        string method,
        RpcProtocol protocol,
        DateTimeOffset? deadline,
        CancellationToken cancellationToken,
        RpcMetadata requestHeaders,
        IPEndPoint? peer,
        X509Certificate2? clientCertificate)
    {
        Method = method;
        Protocol = protocol;
        Deadline = deadline;
        CancellationToken = cancellationToken;
        RequestHeaders = requestHeaders;
        Peer = peer;
        ClientCertificate = clientCertificate;
    }

    /// <summary>The method path, <c>/package.Service/Method</c>.</summary>
    public string Method { get; }

    /// <summary>gRPC or HTTP/JSON.</summary>
    public RpcProtocol Protocol { get; }

    /// <summary>When the caller stops waiting (from <c>grpc-timeout</c>); null when it set none.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Fires when the deadline passes or the caller goes away; pass it to all awaited work.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The caller's metadata (request headers without the protocol's own).</summary>
    public RpcMetadata RequestHeaders { get; }

    /// <summary>Metadata to send back: trailers for gRPC, response headers for HTTP/JSON.</summary>
    public RpcMetadata ResponseTrailers { get; } = new();

    /// <summary>The caller's address and port, when known.</summary>
    public IPEndPoint? Peer { get; }

    /// <summary>The TLS client certificate the caller presented (validated by the host), or null.</summary>
    public X509Certificate2? ClientCertificate { get; }
}
