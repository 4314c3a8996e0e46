namespace Threshold.Storage.Consensus;

/// <summary>
/// The small amount of state the nodes of a cluster share: per-user failed-login counters (each node
/// writes its own; anyone reads the sum, so password guesses cannot be spread across nodes), each
/// node's published state version (rollback detection), and node liveness.
/// </summary>
/// <remarks>
/// Every operation touches one key per node (or reads a prefix), so a clustered implementation maps
/// each onto one compare-and-swap transaction: on etcd, a counter increment is "read my key and its
/// mod revision, then put count + 1 if the revision is unchanged" (retried on contention), a version
/// publication is "put if the stored version is not greater", a heartbeat is a put under the node's
/// lease, and totals are a range read over the user's prefix. Node ids and user ids are 1–256
/// characters without control characters.
/// </remarks>
public interface IConsensusStore
{
    /// <summary>Adds one to <paramref name="node"/>'s failed-login counter for <paramref name="user"/>; returns that node's count and the total over all nodes afterwards.</summary>
    Task<FailedLoginCount> RecordFailedLoginAsync(string user, string node, CancellationToken cancellationToken = default);

    /// <summary>Sets <paramref name="node"/>'s counter for <paramref name="user"/> back to zero (after a successful login); other nodes' counters stay.</summary>
    Task ResetFailedLoginsAsync(string user, string node, CancellationToken cancellationToken = default);

    /// <summary>The failed logins of <paramref name="user"/> summed over all nodes.</summary>
    Task<long> FailedLoginTotalAsync(string user, CancellationToken cancellationToken = default);

    /// <summary>
    /// Admits one node's part in a login attempt, in one transaction: drops expired attempt records and
    /// full budgets; if the attempt is new, takes one attempt from the user's budget (or refuses,
    /// storing nothing, when it is empty) and records the attempt with its binding; if the attempt is
    /// known, admits the node without charging again, unless this node already answered it or the
    /// binding differs. The store's clock decides.
    /// </summary>
    Task<LoginAdmission> AdmitLoginAttemptAsync(LoginAttempt attempt, LoginBudgetPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives back the attempt a successful login was charged, once per attempt however many nodes ask;
    /// true when this call gave it back. An attempt whose record has expired is not refunded.
    /// </summary>
    Task<bool> RefundLoginAttemptAsync(string user, ReadOnlyMemory<byte> attemptId, LoginBudgetPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>The user's budget now (a read; charges nothing).</summary>
    Task<LoginBudgetState> LoginBudgetAsync(string user, LoginBudgetPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>
    /// An operator's unlock: fills the user's budget and journals who did it and why, for every node to
    /// copy into its audit log (<see cref="UnauditedLoginUnlocksAsync"/>). Returns the journal sequence.
    /// </summary>
    Task<long> UnlockLoginAsync(string user, string by, string reason, CancellationToken cancellationToken = default);

    /// <summary>The journalled unlocks <paramref name="node"/> has not yet marked audited, oldest first (at most 100).</summary>
    Task<IReadOnlyList<LoginUnlock>> UnauditedLoginUnlocksAsync(string node, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="node"/> audited the journal up to <paramref name="sequence"/> (never moves back).</summary>
    Task MarkLoginUnlocksAuditedAsync(string node, long sequence, CancellationToken cancellationToken = default);

    /// <summary>Drops expired attempt records and full budgets, and counts what remains.</summary>
    Task<LoginStoreUsage> SweepLoginStateAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes <paramref name="node"/>'s state version. Versions only move forward: publishing the
    /// current one again is accepted, a lower one is refused.
    /// </summary>
    /// <exception cref="StaleStateVersionException">A higher version was already published for this node (its database was rolled back, or a stale instance is running).</exception>
    Task PublishStateVersionAsync(string node, long version, CancellationToken cancellationToken = default);

    /// <summary>The state version <paramref name="node"/> last published; null if it never did.</summary>
    Task<long?> StateVersionAsync(string node, CancellationToken cancellationToken = default);

    /// <summary>Records that <paramref name="node"/> is alive now (by the store's clock).</summary>
    Task HeartbeatAsync(string node, CancellationToken cancellationToken = default);

    /// <summary>The nodes whose last heartbeat is at most <paramref name="within"/> old, ordered by node id.</summary>
    Task<IReadOnlyList<NodeHeartbeat>> LiveNodesAsync(TimeSpan within, CancellationToken cancellationToken = default);
}

/// <summary>Failed logins of one user after an increment.</summary>
/// <param name="Node">The counter of the node that recorded the failure (for its local limit).</param>
/// <param name="Total">The sum over all nodes (for the cluster-wide budget).</param>
public readonly record struct FailedLoginCount(long Node, long Total);

/// <summary>A node and the time of its last heartbeat.</summary>
/// <param name="Node">The node id.</param>
/// <param name="LastSeen">When it last reported (store clock, millisecond precision).</param>
public sealed record NodeHeartbeat(string Node, DateTimeOffset LastSeen);

/// <summary>A node tried to publish a state version lower than the one already published for it.</summary>
public sealed class StaleStateVersionException(string node, long published, long attempted)
    : Exception($"node {node} already published state version {published}; refusing {attempted}")
{
    /// <summary>The node.</summary>
    public string Node { get; } = node;

    /// <summary>The version already published.</summary>
    public long Published { get; } = published;

    /// <summary>The lower version that was refused.</summary>
    public long Attempted { get; } = attempted;
}
