using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Threshold.Aggregator;
using Threshold.Contracts.V1;

namespace Threshold.Server.Rpc;

/// <summary>
/// threshold.v1.Wallet on the aggregator: each method hands its request to <see cref="AggregatorService"/>.
/// Refusals become statuses in <see cref="CallInterceptor"/>, rate limits are <see cref="WalletRateLimitInterceptor"/>'s.
/// </summary>
public sealed class WalletGrpcService(AggregatorService aggregator) : Wallet.WalletBase
{
    /// <inheritdoc />
    public override Task<ClusterInfo> GetClusterInfo(GetClusterInfoRequest request, ServerCallContext context) => Task.FromResult(aggregator.GetClusterInfo());

    /// <inheritdoc />
    public override Task<RegisterStartResponse> RegisterStart(RegisterStartRequest request, ServerCallContext context) => aggregator.RegisterStartAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<RegisterFinishResponse> RegisterFinish(RegisterFinishRequest request, ServerCallContext context) => aggregator.RegisterFinishAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<LoginStartResponse> LoginStart(LoginStartRequest request, ServerCallContext context) => aggregator.LoginStartAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<LoginFinishResponse> LoginFinish(LoginFinishRequest request, ServerCallContext context) => aggregator.LoginFinishAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<GenerateKeyResponse> GenerateKey(GenerateKeyRequest request, ServerCallContext context) => aggregator.GenerateKeyAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<GetPublicKeyResponse> GetPublicKey(GetPublicKeyRequest request, ServerCallContext context) => aggregator.GetPublicKeyAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<SignResponse> Sign(SignRequest request, ServerCallContext context) => aggregator.SignAsync(request, context.CancellationToken);

    /// <inheritdoc />
    public override Task<LogoutResponse> Logout(LogoutRequest request, ServerCallContext context) => aggregator.LogoutAsync(request, context.CancellationToken);
}

/// <summary>How the aggregator serves the wallet API: the service, its rate limits, the discovery document.</summary>
public static class AggregatorRpc
{
    /// <summary>The discovery path (webcrypto-local's well-known document, adapted).</summary>
    public const string DiscoveryPath = "/.well-known/threshold-signing";

    /// <summary>
    /// Starts the aggregator's host: the wallet API over gRPC, gRPC-Web (for browsers) and HTTP/JSON
    /// (its google.api.http routes) and the discovery document; with <see cref="ServiceHostOptions.Health"/>
    /// the gRPC health service and <c>GET /healthz</c>, with <see cref="ServiceHostOptions.Reflection"/> server
    /// reflection. Registration and login calls are limited by <paramref name="limits"/>.
    /// </summary>
    public static Task<ServiceHost> StartAsync(AggregatorService aggregator, WalletRateLimiters limits, ServiceHostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(options);
        return ServiceHost.StartAsync(
            options with { GrpcWeb = true, JsonTranscoding = true },
            services =>
            {
                services.AddSingleton(aggregator);
                services.AddSingleton(limits);
                services.AddGrpc().AddServiceOptions<WalletGrpcService>(o => o.Interceptors.Add<WalletRateLimitInterceptor>());
            },
            app =>
            {
                app.MapGrpcService<WalletGrpcService>();
                MapDiscovery(app, aggregator);
            },
            cancellationToken);
    }

    /// <summary>Adds <c>GET /.well-known/threshold-signing</c>: the cluster info in protobuf's JSON mapping.</summary>
    public static void MapDiscovery(WebApplication app, AggregatorService aggregator)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(DiscoveryPath, () => Results.Text(JsonFormatter.Default.Format(aggregator.GetClusterInfo()), "application/json"));
    }
}
