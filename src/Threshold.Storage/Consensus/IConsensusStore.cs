namespace Threshold.Storage.Consensus;

/// <summary>
/// The small amount of state the nodes of a cluster share: the per-user login budget (a refilling token
/// bucket, one record per login attempt so that an attempt is charged once however many nodes answer
/// it, and a journal of operator unlocks), each node's published state version (rollback detection),
/// and node liveness.
/// </summary>
/// <remarks>
/// Every operation touches a few keys (or reads a prefix), so a clustered implementation maps each onto
/// one compare-and-swap transaction: on etcd, admitting an attempt is "read the user's bucket key and the
/// attempt key with their mod revisions, then write the new bucket and the attempt (with its node) if
/// both revisions are unchanged" (retried on contention), attempt keys carry a lease of the attempt
/// lifetime and bucket keys one that ends when the bucket is full again, so expiry costs nothing; a
/// version publication is "put if the stored version is not greater", a heartbeat is a put under the
/// node's lease. Node ids and user ids are 1–256 characters without control characters; attempt ids 16
/// bytes.
/// </remarks>
public interface IConsensusStore
{
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
