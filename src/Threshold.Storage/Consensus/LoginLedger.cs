// The login budget as per-node attempt logs: every node records, in a record only it writes, the login
// attempts it answered; the user's budget is the token bucket (LoginBucket) replayed over the distinct
// attempts of all nodes' records. One store (in memory, SQLite) or many (etcd, one writer per key) run
// the same functions here, so every store has the same semantics.
namespace Threshold.Storage.Consensus;

/// <summary>One login attempt a node answered, as that node recorded it.</summary>
/// <param name="Attempt">The attempt id (32 lowercase hex characters).</param>
/// <param name="Binding">What the attempt's KE1s carry (64 lowercase hex characters).</param>
/// <param name="At">When the attempt was first charged (Unix milliseconds; a node joining copies the charging node's time).</param>
/// <param name="Epoch">The user's unlock sequence when it was charged: an operator unlock starts a new epoch and older entries stop counting.</param>
/// <param name="Refunded">Whether this node's KE3 proved the password (the node gives back its own part only).</param>
public sealed record LoginEntry(string Attempt, string Binding, long At, long Epoch, bool Refunded);

/// <summary>The attempts one node answered for one user (its own record: no other node writes it).</summary>
/// <param name="Entries">The entries, oldest first.</param>
/// <param name="RefillMs">The policy's refill interval when the node last wrote (lets a sweep judge the record without a policy).</param>
/// <param name="LifetimeMs">The policy's attempt lifetime when the node last wrote.</param>
public sealed record NodeLoginRecord(IReadOnlyList<LoginEntry> Entries, long RefillMs, long LifetimeMs)
{
    /// <summary>A node that answered nothing.</summary>
    public static NodeLoginRecord Empty { get; } = new([], 0, 0);

    /// <summary>The timing of the policy the record was written under (burst 1: a sweep needs no burst).</summary>
    public LoginBudgetPolicy? Timing => RefillMs > 0 && LifetimeMs > 0
        ? new LoginBudgetPolicy(1, TimeSpan.FromMilliseconds(RefillMs), TimeSpan.FromMilliseconds(LifetimeMs))
        : null;
}

/// <summary>
/// The rules of the per-node login budget. An attempt counts against the user's budget while at least one
/// node's entry for it (same id, charge time and epoch) is in the current epoch and not refunded; the
/// bucket is replayed over the counted attempts in time order. Consequences: a node can add to the count
/// (charge) but never lower what another node recorded; a refund lowers only the refunding node's part, so
/// an attempt comes back once every node that answered it has seen its KE3; nodes keep their entries past
/// the attempt lifetime only while the bucket they are part of has not been full since (exact pruning).
/// </summary>
public static class LoginLedger
{
    /// <summary>Decides one node's part in an attempt from every node's record for the user.</summary>
    /// <param name="records">Each node's record for the user (missing nodes answered nothing).</param>
    /// <param name="epoch">The user's current unlock sequence (0 before any unlock).</param>
    /// <param name="attempt">The attempt and the answering node.</param>
    /// <param name="policy">The budget.</param>
    /// <param name="now">This store's clock (Unix milliseconds).</param>
    /// <returns>The verdict and the node's new record (null: nothing to write).</returns>
    public static (LoginAdmission Admission, NodeLoginRecord? Updated) Admit(
        IReadOnlyDictionary<string, NodeLoginRecord> records, long epoch, LoginAttempt attempt, LoginBudgetPolicy policy, long now)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(policy);
        var id = Convert.ToHexStringLower(attempt.Id);
        var binding = Convert.ToHexStringLower(attempt.Binding);
        var lifetime = LoginBucket.Milliseconds(policy.AttemptLifetime);
        var own = records.GetValueOrDefault(attempt.Node) ?? NodeLoginRecord.Empty;
        var tat = Tat(records.Values, epoch, policy);
        var (left, next) = LoginBucket.Peek(tat, now, policy);
        var known = records
            .SelectMany(r => r.Value.Entries.Select(e => (Node: r.Key, Entry: e)))
            .Where(e => e.Entry.Attempt == id && e.Entry.At + lifetime > now)
            .ToList();
        if (known.Count > 0)
        {
            var outcome = known.Any(e => e.Entry.Binding != binding) ? LoginAdmissionOutcome.BindingMismatch
                : known.Any(e => e.Node == attempt.Node) ? LoginAdmissionOutcome.AlreadyServed
                : LoginAdmissionOutcome.Joined;
            var admission = new LoginAdmission(outcome, left, left == 0 ? At(next) : null);
            if (outcome != LoginAdmissionOutcome.Joined)
            {
                return (admission, null);
            }

            // Join the attempt as it was charged (its time, capped at now, and its epoch), so that it stays
            // one attempt in the count and this node's entry keeps counting it after the others drop theirs.
            var first = known.OrderByDescending(e => e.Entry.At).First().Entry;
            var joined = new LoginEntry(id, binding, Math.Min(first.At, now), first.Epoch, false);
            return (admission, Prune([.. own.Entries, joined], records, attempt.Node, epoch, policy, now));
        }

        var (admitted, _, tokensLeft, nextToken) = LoginBucket.Charge(tat, now, policy);
        if (!admitted)
        {
            return (new LoginAdmission(LoginAdmissionOutcome.Locked, 0, At(nextToken)), null);
        }

        var charged = new LoginEntry(id, binding, now, epoch, false);
        return (new LoginAdmission(LoginAdmissionOutcome.Charged, tokensLeft, tokensLeft == 0 ? At(nextToken) : null),
            Prune([.. own.Entries, charged], records, attempt.Node, epoch, policy, now));
    }

    /// <summary>
    /// Gives back the node's own part of an attempt; null when the node has no live, unrefunded entry for
    /// it (never answered it, already refunded, or the attempt's lifetime is over).
    /// </summary>
    public static NodeLoginRecord? Refund(NodeLoginRecord own, ReadOnlySpan<byte> attemptId, LoginBudgetPolicy policy, long now)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(policy);
        var id = Convert.ToHexStringLower(attemptId);
        var lifetime = LoginBucket.Milliseconds(policy.AttemptLifetime);
        var index = own.Entries.ToList().FindIndex(e => e.Attempt == id && !e.Refunded && e.At + lifetime > now);
        if (index < 0)
        {
            return null;
        }

        var entries = own.Entries.ToArray();
        entries[index] = entries[index] with { Refunded = true };
        return own with { Entries = entries };
    }

    /// <summary>The user's budget now.</summary>
    public static LoginBudgetState Budget(IEnumerable<NodeLoginRecord> records, long epoch, LoginBudgetPolicy policy, long now)
    {
        var (left, next) = LoginBucket.Peek(Tat(records, epoch, policy), now, policy);
        return new LoginBudgetState(left, At(next));
    }

    /// <summary>
    /// The bucket's theoretical arrival time over the counted attempts (null: nothing counted). Each
    /// counted attempt is charged at its time: <c>tat = max(tat, at) + I</c>.
    /// </summary>
    public static long? Tat(IEnumerable<NodeLoginRecord> records, long epoch, LoginBudgetPolicy policy)
    {
        long? tat = null;
        foreach (var at in Counted(records, epoch))
        {
            tat = Math.Max(tat ?? at, at) + LoginBucket.Milliseconds(policy.RefillInterval);
        }

        return tat;
    }

    /// <summary>
    /// What the user's records hold now: (budget not full, live attempts, live (attempt, node) entries),
    /// judged by the timing the records were last written under.
    /// </summary>
    public static (bool Spent, long Attempts, long AttemptNodes) Usage(IEnumerable<NodeLoginRecord> records, long epoch, long now)
    {
        var all = records.ToList();
        if (all.Select(r => r.Timing).OfType<LoginBudgetPolicy>().MaxBy(p => p.RefillInterval) is not { } policy)
        {
            return (false, 0, 0);
        }

        var lifetime = LoginBucket.Milliseconds(policy.AttemptLifetime);
        var live = all.SelectMany(r => r.Entries).Where(e => e.At + lifetime > now).ToList();
        return (Tat(all, epoch, policy) > now, live.Select(e => (e.Attempt, e.At)).Distinct().Count(), live.Count);
    }

    /// <summary>
    /// The times of the counted attempts, in order: one per (id, time, epoch) with a current-epoch entry
    /// that is not refunded.
    /// </summary>
    private static IEnumerable<long> Counted(IEnumerable<NodeLoginRecord> records, long epoch) =>
        records.SelectMany(r => r.Entries)
            .Where(e => e.Epoch == epoch && !e.Refunded)
            .Select(e => (e.Attempt, e.At))
            .Distinct()
            .Select(e => e.At)
            .Order();

    /// <summary>
    /// Drops the node's entries that can matter no more: past the attempt lifetime (nothing can join or
    /// refund them) and either from an earlier epoch, refunded, or older than the last time the bucket was
    /// full (a replay from there gives the same result, so dropping them changes nothing).
    /// </summary>
    private static NodeLoginRecord Prune(
        List<LoginEntry> entries, IReadOnlyDictionary<string, NodeLoginRecord> records, string node, long epoch, LoginBudgetPolicy policy, long now)
    {
        var lifetime = LoginBucket.Milliseconds(policy.AttemptLifetime);
        var interval = LoginBucket.Milliseconds(policy.RefillInterval);
        var all = records.Where(r => r.Key != node).Select(r => r.Value).Append(new NodeLoginRecord(entries, interval, lifetime));
        long? tat = null;
        var fullSince = long.MinValue;
        foreach (var at in Counted(all, epoch))
        {
            if (tat is null || tat <= at)
            {
                fullSince = at; // the bucket was full when this attempt came: nothing before it counts any more
            }

            tat = Math.Max(tat ?? at, at) + interval;
        }

        if (tat is null || tat <= now)
        {
            fullSince = now;
        }

        return new NodeLoginRecord([.. entries.Where(e => e.At + lifetime > now || (e.Epoch == epoch && !e.Refunded && e.At >= fullSince))], interval, lifetime);
    }

    private static DateTimeOffset? At(long? unixMilliseconds) => unixMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
