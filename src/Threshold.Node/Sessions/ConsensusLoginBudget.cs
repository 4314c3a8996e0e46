using Threshold.Storage.Consensus;

namespace Threshold.Node.Sessions;

/// <summary>
/// The cluster's login budget, kept in the consensus store: one token bucket per user replayed over every
/// node's attempt log, one charge per login attempt however many nodes answer it (each node logs the
/// attempt once, and only for the attempt's one blinded element); when a KE3 proves the password the node
/// refunds its own part, and the attempt leaves the budget once every node that answered it has.
/// Under it, the node's own <see cref="LocalLoginBudget"/> charges every KE1 this node answers, so that
/// a consensus store that lied would still leave each node limiting what it answers.
/// </summary>
public sealed class ConsensusLoginBudget : ILoginBudget
{
    private readonly IConsensusStore consensus;
    private readonly string nodeId;
    private readonly LocalLoginBudget local;

    /// <summary>The budget of node <paramref name="nodeId"/> under <paramref name="policy"/>.</summary>
    /// <param name="consensus">The cluster's consensus store.</param>
    /// <param name="nodeId">This node.</param>
    /// <param name="policy">The cluster's policy.</param>
    /// <param name="time">The node's clock, for its own limit (the cluster's budget runs on the store's clock).</param>
    public ConsensusLoginBudget(IConsensusStore consensus, string nodeId, LoginBudgetPolicy policy, TimeProvider? time = null)
    {
        this.consensus = consensus ?? throw new ArgumentNullException(nameof(consensus));
        this.nodeId = nodeId ?? throw new ArgumentNullException(nameof(nodeId));
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));

        // One token more than the cluster's, so that a node clock slightly behind the store's never makes
        // the node's own limit the stricter one for an honest user.
        local = new LocalLoginBudget(policy.WithBurst(Math.Min(policy.Burst + 1, LoginBudgetPolicy.MaxBurst)), time);
    }

    /// <inheritdoc />
    public LoginBudgetPolicy Policy { get; }

    /// <summary>This node's own limit.</summary>
    internal LocalLoginBudget Local => local;

    /// <inheritdoc />
    public async Task<LoginAdmission> ChargeAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var cluster = await consensus.AdmitLoginAttemptAsync(attempt, Policy, cancellationToken).ConfigureAwait(false);
        if (!cluster.Admitted)
        {
            return cluster;
        }

        var own = await local.ChargeAsync(attempt, cancellationToken).ConfigureAwait(false);
        return own.Admitted ? cluster : own;
    }

    /// <inheritdoc />
    public async Task RefundAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        await consensus.RefundLoginAttemptAsync(attempt.User, attempt.Id.ToArray(), attempt.Node, Policy, cancellationToken).ConfigureAwait(false);
        await local.RefundAsync(attempt, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LoginUnlock>> UnappliedUnlocksAsync(CancellationToken cancellationToken) =>
        consensus.UnauditedLoginUnlocksAsync(nodeId, cancellationToken);

    /// <inheritdoc />
    public async Task MarkAppliedAsync(LoginUnlock unlock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unlock);
        await local.MarkAppliedAsync(unlock, cancellationToken).ConfigureAwait(false);
        await consensus.MarkLoginUnlocksAuditedAsync(nodeId, unlock.Sequence, cancellationToken).ConfigureAwait(false);
    }
}
