namespace Threshold.Rpc.Server;

/// <summary>Limits and browser access of the RPC server (independent of how it is hosted).</summary>
public sealed record RpcServerOptions
{
    /// <summary>gRPC's default message limit, 4 MiB.</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>The largest request message accepted (gRPC frame or JSON body), in bytes; larger is RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>The largest response message sent, in bytes; a handler's larger reply becomes RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>
    /// Whether gRPC requests are served. False passes them to the next middleware, so that this server
    /// can keep the HTTP/JSON calls while Grpc.AspNetCore takes over gRPC.
    /// </summary>
    public bool EnableGrpc { get; init; } = true;

    /// <summary>Whether the methods are also served as HTTP/JSON (POST with <c>application/json</c>).</summary>
    public bool EnableHttpJson { get; init; } = true;

    /// <summary>
    /// Browser origins (e.g. <c>https://wallet.example</c>) allowed to call the HTTP/JSON methods
    /// cross-origin; empty allows none. Exact, case-insensitive matches only; no wildcards.
    /// </summary>
    public IReadOnlyCollection<string> CorsOrigins { get; init; } = [];
}
