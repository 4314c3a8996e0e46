namespace Threshold.Storage.Consensus;

/// <summary>
/// The small amount of state the nodes of a cluster share: the per-user login budget (a refilling token
/// bucket replayed over per-node attempt logs, <see cref="LoginLedger"/>, and a journal of operator
/// unlocks), each node's published state version (rollback detection), and node liveness.
/// </summary>
/// <remarks>
/// Every value a node writes is its own: its attempt log for a user, its state version, its heartbeat,
/// its place in the unlock journal. A clustered implementation (etcd) gives each node a key prefix only it
/// may write and has it sign what it writes, so nodes never overwrite one another; admitting an attempt is
/// "read every node's log for the user and the user's unlock epoch, decide, then write this node's log if
/// none of them changed" (one compare-and-swap transaction, retried on contention). Node ids and user ids
/// are 1–256 characters without control characters; attempt ids 16 bytes.
/// </remarks>
public interface IConsensusStore
{
    /// <summary>
    /// Admits one node's part in a login attempt, in one transaction: if no node recorded the attempt
    /// (within its lifetime), takes one attempt from the user's budget (or refuses, storing nothing, when
    /// it is empty) and records it in the node's log; if another node recorded it, the node joins it
    /// (records it too, charging nothing more), unless this node already answered it or the binding
    /// differs. The clock of the store (of the admitting node, for a clustered store) decides.
    /// </summary>
    Task<LoginAdmission> AdmitLoginAttemptAsync(LoginAttempt attempt, LoginBudgetPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gives back <paramref name="node"/>'s part in the attempt a successful login was charged: true when
    /// the node had answered it and had not refunded it yet. The attempt leaves the budget once every node
    /// that answered it has refunded its part, so one node cannot give back what others charged. An
    /// attempt past its lifetime is not refunded.
    /// </summary>
    Task<bool> RefundLoginAttemptAsync(string user, ReadOnlyMemory<byte> attemptId, string node, LoginBudgetPolicy policy, CancellationToken cancellationToken = default);

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

    /// <summary>Drops what can no longer matter (expired attempts of full budgets) as far as the store may, and counts what is live.</summary>
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
