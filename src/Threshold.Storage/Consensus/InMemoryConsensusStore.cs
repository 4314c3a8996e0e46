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
    private readonly Dictionary<string, long> budgets = new(StringComparer.Ordinal);            // user → tat (ms), only while not full
    private readonly PriorityQueue<string, long> budgetExpiry = new();                           // (user, a tat it had); stale entries are skipped
    private readonly Dictionary<(string User, string Attempt), AttemptRecord> attempts = [];
    private readonly PriorityQueue<(string User, string Attempt), long> attemptExpiry = new();
    private readonly List<LoginUnlock> unlocks = [];
    private readonly Dictionary<string, long> unlockCursors = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<LoginAdmission> AdmitLoginAttemptAsync(LoginAttempt attempt, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var key = (attempt.User, Convert.ToHexStringLower(attempt.Id));
        lock (gate)
        {
            Sweep(now);
            if (attempts.TryGetValue(key, out var known))
            {
                var (left, next) = LoginBucket.Peek(StoredTat(attempt.User), now, policy);
                var outcome = !known.Binding.AsSpan().SequenceEqual(attempt.Binding) ? LoginAdmissionOutcome.BindingMismatch
                    : !known.Nodes.Add(attempt.Node) ? LoginAdmissionOutcome.AlreadyServed
                    : LoginAdmissionOutcome.Joined;
                return Task.FromResult(new LoginAdmission(outcome, left, left == 0 ? At(next) : null));
            }

            var (admitted, tat, tokensLeft, nextToken) = LoginBucket.Charge(StoredTat(attempt.User), now, policy);
            if (!admitted)
            {
                return Task.FromResult(new LoginAdmission(LoginAdmissionOutcome.Locked, 0, At(nextToken)));
            }

            SetTat(attempt.User, tat);
            var expires = now + LoginBucket.Milliseconds(policy.AttemptLifetime);
            attempts[key] = new AttemptRecord(attempt.Binding.ToArray(), new HashSet<string>(StringComparer.Ordinal) { attempt.Node }, expires);
            attemptExpiry.Enqueue(key, expires);
            return Task.FromResult(new LoginAdmission(LoginAdmissionOutcome.Charged, tokensLeft, tokensLeft == 0 ? At(nextToken) : null));
        }
    }

    /// <inheritdoc />
    public Task<bool> RefundLoginAttemptAsync(string user, ReadOnlyMemory<byte> attemptId, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        CheckAttemptId(attemptId.Span);
        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        lock (gate)
        {
            Sweep(now);
            if (!attempts.TryGetValue((user, Convert.ToHexStringLower(attemptId.Span)), out var record) || record.Refunded)
            {
                return Task.FromResult(false);
            }

            record.Refunded = true;
            if (LoginBucket.Refund(StoredTat(user), now, policy) is { } tat)
            {
                SetTat(user, tat);
            }
            else
            {
                budgets.Remove(user);
            }

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
            var (left, next) = LoginBucket.Peek(StoredTat(user), now, policy);
            return Task.FromResult(new LoginBudgetState(left, At(next)));
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
            budgets.Remove(user);
            var unlock = new LoginUnlock(unlocks.Count + 1, user, now, by, reason);
            unlocks.Add(unlock);
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
            Sweep(now);
            return Task.FromResult(new LoginStoreUsage(budgets.Count, attempts.Count, attempts.Values.Sum(a => (long)a.Nodes.Count), unlocks.Count));
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

    private static DateTimeOffset? At(long? unixMilliseconds) => unixMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    private long? StoredTat(string user) => budgets.TryGetValue(user, out var tat) ? tat : null;

    private void SetTat(string user, long tat)
    {
        budgets[user] = tat;
        budgetExpiry.Enqueue(user, tat);
    }

    /// <summary>Forgets attempts past their lifetime and budgets that are full again (called under the gate).</summary>
    private void Sweep(long now)
    {
        while (attemptExpiry.TryPeek(out var key, out var expires) && expires <= now)
        {
            attemptExpiry.Dequeue();
            if (attempts.TryGetValue(key, out var record) && record.Expires <= now)
            {
                attempts.Remove(key);
            }
        }

        while (budgetExpiry.TryPeek(out var user, out var tat) && tat <= now)
        {
            budgetExpiry.Dequeue();
            if (budgets.TryGetValue(user, out var current) && current <= now)
            {
                budgets.Remove(user);
            }
        }
    }

    private static DateTimeOffset Milliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    private sealed class AttemptRecord(byte[] binding, HashSet<string> nodes, long expires)
    {
        public byte[] Binding { get; } = binding;

        public HashSet<string> Nodes { get; } = nodes;

        public long Expires { get; } = expires;

        public bool Refunded { get; set; }
    }
}
