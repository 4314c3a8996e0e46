using Threshold.Storage.Internal;

namespace Threshold.Storage.Consensus;

/// <summary>
/// The embedded consensus store: plain memory behind one lock. Share one instance among the nodes of
/// an in-process cluster (the demo, tests, the simulator). Nothing survives the process.
/// </summary>
public sealed class InMemoryConsensusStore(TimeProvider? timeProvider = null) : IConsensusStore
{
    private readonly TimeProvider clock = timeProvider ?? TimeProvider.System;
    private readonly Lock gate = new();
    private readonly Dictionary<string, Dictionary<string, long>> failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> heartbeats = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<FailedLoginCount> RecordFailedLoginAsync(string user, string node, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        Names.Id(node, nameof(node));
        lock (gate)
        {
            if (!failures.TryGetValue(user, out var perNode))
            {
                perNode = new Dictionary<string, long>(StringComparer.Ordinal);
                failures[user] = perNode;
            }

            var count = perNode.GetValueOrDefault(node) + 1;
            perNode[node] = count;
            return Task.FromResult(new FailedLoginCount(count, Total(user)));
        }
    }

    /// <inheritdoc />
    public Task ResetFailedLoginsAsync(string user, string node, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        Names.Id(node, nameof(node));
        lock (gate)
        {
            if (failures.TryGetValue(user, out var perNode) && perNode.Remove(node) && perNode.Count == 0)
            {
                failures.Remove(user);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long> FailedLoginTotalAsync(string user, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        lock (gate)
        {
            return Task.FromResult(Total(user));
        }
    }

    /// <inheritdoc />
    public Task PublishStateVersionAsync(string node, long version, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        lock (gate)
        {
            if (versions.TryGetValue(node, out var published) && published > version)
            {
                throw new StaleStateVersionException(node, published, version);
            }

            versions[node] = version;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long?> StateVersionAsync(string node, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        lock (gate)
        {
            return Task.FromResult(versions.TryGetValue(node, out var version) ? version : (long?)null);
        }
    }

    /// <inheritdoc />
    public Task HeartbeatAsync(string node, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        var now = Milliseconds(clock.GetUtcNow());
        lock (gate)
        {
            if (!heartbeats.TryGetValue(node, out var last) || last < now)
            {
                heartbeats[node] = now;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<NodeHeartbeat>> LiveNodesAsync(TimeSpan within, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(within, TimeSpan.Zero);
        var now = Milliseconds(clock.GetUtcNow());
        var cutoff = within >= now - DateTimeOffset.MinValue ? DateTimeOffset.MinValue : now - within;
        lock (gate)
        {
            IReadOnlyList<NodeHeartbeat> live = heartbeats
                .Where(h => h.Value >= cutoff)
                .OrderBy(h => h.Key, StringComparer.Ordinal)
                .Select(h => new NodeHeartbeat(h.Key, h.Value))
                .ToList();
            return Task.FromResult(live);
        }
    }

    private long Total(string user) => failures.TryGetValue(user, out var perNode) ? perNode.Values.Sum() : 0;

    private static DateTimeOffset Milliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
