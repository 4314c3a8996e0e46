using System.Net;
using System.Threading.RateLimiting;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Threshold.Contracts.V1;

namespace Threshold.Server.Rpc;

/// <summary>
/// How hard the aggregator's unauthenticated methods (registration and login) may be called: a token
/// bucket per client address over all four, and one per user id over the two that make nodes keep
/// state (RegisterStart, LoginStart). A refused call is RESOURCE_EXHAUSTED and reaches no node.
/// </summary>
/// <remarks>
/// The limits are ASP.NET Core's rate limiters (System.Threading.RateLimiting), applied by
/// <see cref="WalletRateLimitInterceptor"/> to gRPC, gRPC-Web and HTTP/JSON calls alike (JSON callers
/// see 429). Limiters of clients and users that are full again are dropped by the partitioned limiter.
/// Behind a reverse proxy the client address is the proxy's: forward the real one (forwarded headers)
/// or limit at the proxy.
/// </remarks>
public sealed record WalletRateLimits
{
    /// <summary>The methods limited per client address.</summary>
    public static IReadOnlySet<string> PerClientMethods { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "/threshold.v1.Wallet/RegisterStart",
        "/threshold.v1.Wallet/RegisterFinish",
        "/threshold.v1.Wallet/LoginStart",
        "/threshold.v1.Wallet/LoginFinish",
    };

    /// <summary>The defaults: per client address a burst of 60 calls and one more each second; per user a burst of 10 and one more every 6 seconds.</summary>
    public static WalletRateLimits Default { get; } = new();

    /// <summary>Calls one client address may make at once.</summary>
    public int PerClientBurst { get; init; } = 60;

    /// <summary>The time in which a client address wins one call back.</summary>
    public TimeSpan PerClientRefill { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>RegisterStart and LoginStart calls for one user id at once.</summary>
    public int PerUserBurst { get; init; } = 10;

    /// <summary>The time in which a user id wins one call back.</summary>
    public TimeSpan PerUserRefill { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>The limiters these limits describe (dispose them after the host that uses them).</summary>
    public WalletRateLimiters CreateLimiters() => new(this);
}

/// <summary>The running limiters of <see cref="WalletRateLimits"/>: per client address and per user id.</summary>
public sealed class WalletRateLimiters : IDisposable
{
    internal WalletRateLimiters(WalletRateLimits limits)
    {
        var perClient = Bucket(limits.PerClientBurst, limits.PerClientRefill);
        var perUser = Bucket(limits.PerUserBurst, limits.PerUserRefill);
        PerClient = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => perClient), StringComparer.Ordinal);
        PerUser = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetTokenBucketLimiter(user, _ => perUser), StringComparer.Ordinal);
    }

    /// <summary>By client address.</summary>
    internal PartitionedRateLimiter<string> PerClient { get; }

    /// <summary>By user id.</summary>
    internal PartitionedRateLimiter<string> PerUser { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        PerClient.Dispose();
        PerUser.Dispose();
    }

    private static TokenBucketRateLimiterOptions Bucket(int burst, TimeSpan refill) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = refill,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}

/// <summary>
/// Applies <see cref="WalletRateLimiters"/> to threshold.v1.Wallet: first per client address (the
/// refused call counts too), then, for RegisterStart and LoginStart with a well-formed user id, per
/// user (junk ids get no partition; the aggregator refuses them anyway).
/// </summary>
public sealed class WalletRateLimitInterceptor(WalletRateLimiters limiters) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (WalletRateLimits.PerClientMethods.Contains(context.Method))
        {
            using var lease = limiters.PerClient.AttemptAcquire(ClientOf(context.GetHttpContext()));
            if (!lease.IsAcquired)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, "too many registration or login calls from this address; retry later"));
            }
        }

        var user = request switch
        {
            RegisterStartRequest r => r.UserId,
            LoginStartRequest l => l.UserId,
            _ => null,
        };
        if (user is not null && Threshold.Opaque.Cluster.UserId.TryParse(user, out _))
        {
            using var lease = limiters.PerUser.AttemptAcquire(user);
            if (!lease.IsAcquired)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, "too many registration or login calls for this user; retry later"));
            }
        }

        return await continuation(request, context).ConfigureAwait(false);
    }

    private static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        IPAddress address => address.ToString(),
    };
}
