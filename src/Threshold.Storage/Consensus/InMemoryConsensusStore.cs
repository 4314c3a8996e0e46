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
    private readonly Dictionary<string, long> versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> heartbeats = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, NodeLoginRecord>> logins = new(StringComparer.Ordinal); // user → node → its log
    private readonly Dictionary<string, long> epochs = new(StringComparer.Ordinal);                                   // user → last unlock sequence
    private readonly List<LoginUnlock> unlocks = [];
    private readonly Dictionary<string, long> unlockCursors = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<LoginAdmission> AdmitLoginAttemptAsync(LoginAttempt attempt, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (gate)
        {
            var records = Records(attempt.User);
            var (admission, updated) = LoginLedger.Admit(records, epochs.GetValueOrDefault(attempt.User), attempt, policy, now);
            if (updated is not null)
            {
                records[attempt.Node] = updated;
            }

            return Task.FromResult(admission);
        }
    }

    /// <inheritdoc />
    public Task<bool> RefundLoginAttemptAsync(string user, ReadOnlyMemory<byte> attemptId, string node, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        Names.Id(node, nameof(node));
        CheckAttemptId(attemptId.Span);
        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (gate)
        {
            if (!logins.TryGetValue(user, out var records) || !records.TryGetValue(node, out var own)
                || LoginLedger.Refund(own, attemptId.Span, policy, now) is not { } refunded)
            {
                return Task.FromResult(false);
            }

            records[node] = refunded;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task<LoginBudgetState> LoginBudgetAsync(string user, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (gate)
        {
            var records = logins.TryGetValue(user, out var found) ? found.Values : Enumerable.Empty<NodeLoginRecord>();
            return Task.FromResult(LoginLedger.Budget(records, epochs.GetValueOrDefault(user), policy, now));
        }
    }

    /// <inheritdoc />
    public Task<long> UnlockLoginAsync(string user, string by, string reason, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        Names.Id(by, nameof(by));
        Names.Details(reason);
        var now = Milliseconds(clock.GetUtcNow());
        lock (gate)
        {
            var unlock = new LoginUnlock(unlocks.Count + 1, user, now, by, reason);
            unlocks.Add(unlock);
            epochs[user] = unlock.Sequence; // a new epoch: what was charged before stops counting
            return Task.FromResult(unlock.Sequence);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LoginUnlock>> UnauditedLoginUnlocksAsync(string node, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        lock (gate)
        {
            var cursor = (int)Math.Min(unlockCursors.GetValueOrDefault(node), unlocks.Count);
            IReadOnlyList<LoginUnlock> pending = unlocks.Skip(cursor).Take(100).ToList();
            return Task.FromResult(pending);
        }
    }

    /// <inheritdoc />
    public Task MarkLoginUnlocksAuditedAsync(string node, long sequence, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        lock (gate)
        {
            unlockCursors[node] = Math.Max(unlockCursors.GetValueOrDefault(node), sequence);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<LoginStoreUsage> SweepLoginStateAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (gate)
        {
            long budgets = 0, attempts = 0, attemptNodes = 0;
            foreach (var (user, records) in logins.ToList())
            {
                var (spent, live, liveNodes) = LoginLedger.Usage(records.Values, epochs.GetValueOrDefault(user), now);
                if (!spent && live == 0)
                {
                    logins.Remove(user); // a full budget and no live attempt: nothing left to remember
                    continue;
                }

                budgets += spent ? 1 : 0;
                attempts += live;
                attemptNodes += liveNodes;
            }

            return Task.FromResult(new LoginStoreUsage(budgets, attempts, attemptNodes, unlocks.Count));
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

    private static void CheckAttemptId(ReadOnlySpan<byte> attemptId)
    {
        if (attemptId.Length != LoginAttempt.IdLength)
        {
            throw new ArgumentException($"an attempt id is {LoginAttempt.IdLength} bytes", nameof(attemptId));
        }
    }

    private Dictionary<string, NodeLoginRecord> Records(string user)
    {
        if (!logins.TryGetValue(user, out var records))
        {
            logins[user] = records = new Dictionary<string, NodeLoginRecord>(StringComparer.Ordinal);
        }

        return records;
    }

    private static DateTimeOffset Milliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
