using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Threshold.Server.Hosting;

/// <summary>How well a process or one of its parts works.</summary>
public enum HealthStatus
{
    /// <summary>Works.</summary>
    Healthy,

    /// <summary>Serves, with less than all it should have (e.g. a node of the cluster unreachable, t still are).</summary>
    Degraded,

    /// <summary>Cannot do its job (a node that cannot publish its state version, an aggregator with fewer than t nodes).</summary>
    Unhealthy,
}

/// <summary>One part's health.</summary>
/// <param name="Component">A stable name ("state-publication", "node:node-2", "quorum").</param>
/// <param name="Status">Its status.</param>
/// <param name="Description">Why, in a few words (no secrets).</param>
public sealed record HealthEntry(string Component, HealthStatus Status, string Description);

/// <summary>
/// The health of one process, set by its parts and read by whatever serves it: today <c>GET /healthz</c>
/// on the process's RPC host (<see cref="MapEndpoint"/>); with Grpc.AspNetCore, the standard gRPC health
/// service maps <see cref="Overall"/> to SERVING (healthy, degraded) or NOT_SERVING (unhealthy) from the
/// <see cref="Changed"/> event. Thread-safe.
/// </summary>
public sealed class HealthState
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly Lock gate = new();
    private readonly SortedDictionary<string, HealthEntry> entries = new(StringComparer.Ordinal);

    /// <summary>Raised after a component's status or description changed.</summary>
    public event Action? Changed;

    /// <summary>The worst status of any component (healthy when there is none).</summary>
    public HealthStatus Overall
    {
        get
        {
            lock (gate)
            {
                return entries.Values.Select(e => e.Status).DefaultIfEmpty(HealthStatus.Healthy).Max();
            }
        }
    }

    /// <summary>Every component, by name.</summary>
    public IReadOnlyList<HealthEntry> Entries
    {
        get
        {
            lock (gate)
            {
                return [.. entries.Values];
            }
        }
    }

    /// <summary>Sets <paramref name="component"/>'s status.</summary>
    public void Set(string component, HealthStatus status, string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(component);
        var entry = new HealthEntry(component, status, description ?? "");
        lock (gate)
        {
            if (entries.TryGetValue(component, out var old) && old == entry)
            {
                return;
            }

            entries[component] = entry;
        }

        Changed?.Invoke();
    }

    /// <summary>The report as JSON: <c>{"status": "degraded", "components": [{"component", "status", "description"}]}</c>.</summary>
    public string ToJson() => JsonSerializer.Serialize(new { Status = Overall, Components = Entries }, Json);

    /// <summary>
    /// Serves <c>GET /healthz</c>: the JSON report, with status 200 when healthy or degraded and 503 when
    /// unhealthy (what load balancers and Kubernetes probes read). Set the RPC host's own health endpoint off.
    /// </summary>
    public void MapEndpoint(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", () => Results.Text(ToJson(), "application/json", statusCode: Overall == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK));
    }
}
