using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Threshold.Rpc;
using Threshold.Rpc.Hosting;
using Threshold.Rpc.Server;

namespace Threshold.Server.Rpc;

/// <summary>
/// How hard the aggregator's unauthenticated methods (registration and login) may be called: a token
/// bucket per client address over all four, and one per user id over the two that make nodes keep
/// state (RegisterStart, LoginStart). A refused call is RESOURCE_EXHAUSTED and reaches no node.
/// </summary>
/// <remarks>
/// This is the one place the limits are configured, with ASP.NET Core's rate limiting
/// (System.Threading.RateLimiting): the per-client limit is the rate-limiter middleware in front of
/// the RPC server, so it stays as it is when Grpc.AspNetCore replaces the RPC host; the per-user limit
/// needs the user id from the message, so it is checked in the handler adapter. Limiters of clients
/// and users that are full again are dropped by the partitioned limiter. Behind a reverse proxy the
/// client address is the proxy's: forward the real one (forwarded headers) or limit at the proxy.
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

    /// <summary>The host options with the per-client limiter in front of the RPC server.</summary>
    public RpcHostOptions ApplyTo(RpcHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var perClient = Bucket(PerClientBurst, PerClientRefill);
        return options with
        {
            Services = services =>
            {
                options.Services?.Invoke(services);
                services.AddRateLimiter(limiter =>
                {
                    limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                        PerClientMethods.Contains(http.Request.Path.Value ?? string.Empty)
                            ? RateLimitPartition.GetTokenBucketLimiter(ClientOf(http), _ => perClient)
                            : RateLimitPartition.GetNoLimiter(string.Empty));
                    limiter.OnRejected = (context, _) => new ValueTask(
                        RpcStatusResponse.WriteAsync(context.HttpContext, RpcStatusCode.ResourceExhausted, "too many registration or login calls from this address; retry later"));
                });
            },
            Middleware = app =>
            {
                options.Middleware?.Invoke(app);
                app.UseRateLimiter();
            },
        };
    }

    /// <summary>The per-user limiter, for <see cref="AggregatorRpc.Registry"/>.</summary>
    public PartitionedRateLimiter<string> PerUserLimiter()
    {
        var perUser = Bucket(PerUserBurst, PerUserRefill);
        return PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetTokenBucketLimiter(user, _ => perUser), StringComparer.Ordinal);
    }

    private static TokenBucketRateLimiterOptions Bucket(int burst, TimeSpan refill) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = refill,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress switch
    {
        null => "unknown",
        { IsIPv4MappedToIPv6: true } mapped => mapped.MapToIPv4().ToString(),
        IPAddress address => address.ToString(),
    };
}
