using System.Threading.RateLimiting;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Threshold.Aggregator;
using Threshold.Contracts.V1;
using Threshold.Rpc;
using Threshold.Rpc.Server;

namespace Threshold.Server.Rpc;

/// <summary>Serves the wallet API (threshold.v1.Wallet) and the discovery document over the RPC host.</summary>
public static class AggregatorRpc
{
    /// <summary>The discovery path (webcrypto-local's well-known document, adapted).</summary>
    public const string DiscoveryPath = "/.well-known/threshold-signing";

    /// <summary>The wallet service as declared in wallet.proto.</summary>
    public static ServiceDescriptor Service => WalletReflection.Descriptor.Services.Single(s => s.Name == "Wallet");

    /// <summary>
    /// Every method of threshold.v1.Wallet, mapped to <paramref name="aggregator"/> and checked against
    /// the contract. With <paramref name="perUser"/> (see <see cref="WalletRateLimits.PerUserLimiter"/>),
    /// RegisterStart and LoginStart for a user id over its limit are RESOURCE_EXHAUSTED before any node is called.
    /// </summary>
    public static RpcServiceRegistry Registry(AggregatorService aggregator, PartitionedRateLimiter<string>? perUser = null)
    {
        ArgumentNullException.ThrowIfNull(aggregator);
        var registry = new RpcServiceRegistry()
            .MapUnary(Method<GetClusterInfoRequest, ClusterInfo>("GetClusterInfo"), (_, _) => Task.FromResult(aggregator.GetClusterInfo()))
            .MapUnary(Method<RegisterStartRequest, RegisterStartResponse>("RegisterStart"), (r, c) => Guard(() => aggregator.RegisterStartAsync(r, c.CancellationToken), perUser, r.UserId))
            .MapUnary(Method<RegisterFinishRequest, RegisterFinishResponse>("RegisterFinish"), (r, c) => Guard(() => aggregator.RegisterFinishAsync(r, c.CancellationToken)))
            .MapUnary(Method<LoginStartRequest, LoginStartResponse>("LoginStart"), (r, c) => Guard(() => aggregator.LoginStartAsync(r, c.CancellationToken), perUser, r.UserId))
            .MapUnary(Method<LoginFinishRequest, LoginFinishResponse>("LoginFinish"), (r, c) => Guard(() => aggregator.LoginFinishAsync(r, c.CancellationToken)))
            .MapUnary(Method<GenerateKeyRequest, GenerateKeyResponse>("GenerateKey"), (r, c) => Guard(() => aggregator.GenerateKeyAsync(r, c.CancellationToken)))
            .MapUnary(Method<GetPublicKeyRequest, GetPublicKeyResponse>("GetPublicKey"), (r, c) => Guard(() => aggregator.GetPublicKeyAsync(r, c.CancellationToken)))
            .MapUnary(Method<SignRequest, SignResponse>("Sign"), (r, c) => Guard(() => aggregator.SignAsync(r, c.CancellationToken)))
            .MapUnary(Method<LogoutRequest, LogoutResponse>("Logout"), (r, c) => Guard(() => aggregator.LogoutAsync(r, c.CancellationToken)));
        registry.Validate(Service);
        return registry;
    }

    /// <summary>Adds <c>GET /.well-known/threshold-signing</c>: the cluster info in protobuf's JSON mapping.</summary>
    public static void MapDiscovery(WebApplication app, AggregatorService aggregator)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(DiscoveryPath, () => Results.Text(JsonFormatter.Default.Format(aggregator.GetClusterInfo()), "application/json"));
    }

    /// <summary>The contract's method <paramref name="name"/>.</summary>
    internal static RpcMethod<TRequest, TResponse> Method<TRequest, TResponse>(string name)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new() =>
        RpcMethod.FromDescriptor<TRequest, TResponse>(Service.FindMethodByName(name));

    private static async Task<T> Guard<T>(Func<Task<T>> call, PartitionedRateLimiter<string>? perUser = null, string? userId = null)
    {
        // Only well-formed ids get a limiter (the aggregator refuses the others, and junk must not create partitions).
        if (perUser is not null && Threshold.Opaque.Cluster.UserId.TryParse(userId, out _))
        {
            using var lease = perUser.AttemptAcquire(userId!);
            if (!lease.IsAcquired)
            {
                throw new RpcException(RpcStatusCode.ResourceExhausted, "too many registration or login calls for this user; retry later");
            }
        }

        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (WalletException e)
        {
            throw new RpcException(StatusOf(e.Kind), e.Message);
        }
    }

    /// <summary>The gRPC status the wallet API answers a refusal with.</summary>
    internal static RpcStatusCode StatusOf(WalletErrorKind kind) => kind switch
    {
        WalletErrorKind.InvalidArgument => RpcStatusCode.InvalidArgument,
        WalletErrorKind.Unavailable => RpcStatusCode.Unavailable,
        WalletErrorKind.PermissionDenied => RpcStatusCode.PermissionDenied,
        WalletErrorKind.Unauthenticated => RpcStatusCode.Unauthenticated,
        _ => RpcStatusCode.Internal,
    };
}
