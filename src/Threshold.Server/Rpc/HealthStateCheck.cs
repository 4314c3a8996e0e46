using Microsoft.Extensions.Diagnostics.HealthChecks;
using Threshold.Server.Hosting;

namespace Threshold.Server.Rpc;

/// <summary>
/// A process's <see cref="HealthState"/> as an ASP.NET Core health check, which the standard gRPC health
/// service reports: healthy and degraded are SERVING (a degraded aggregator still signs with t nodes),
/// unhealthy is NOT_SERVING. Read on every check, so the answer is never stale.
/// </summary>
internal sealed class HealthStateCheck(HealthState health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var worst = health.Entries.Where(e => e.Status == health.Overall).Select(e => $"{e.Component}: {e.Description}");
        var description = string.Join("; ", worst);
        return Task.FromResult(health.Overall == Hosting.HealthStatus.Unhealthy ? HealthCheckResult.Unhealthy(description) : HealthCheckResult.Healthy(description));
    }
}
