using Threshold.Storage.Consensus;

namespace Threshold.Node.Sessions;

/// <summary>
/// The failed-login budget summed over the cluster: each node writes only its own counter in the
/// consensus store and refuses a login once the total reaches <paramref name="clusterLimit"/>, so guesses
/// spread across nodes count together; it also refuses once its own count reaches <paramref name="localLimit"/>.
/// </summary>
public sealed class ConsensusLoginBudget(IConsensusStore consensus, string nodeId, int clusterLimit, int localLimit) : ILoginBudget
{
    /// <inheritdoc />
    public async Task<bool> TryChargeAsync(string userId, CancellationToken cancellationToken)
    {
        // Each charge is counted before it is read back, so the k-th concurrent attempt sees at least k.
        var (node, total) = await consensus.RecordFailedLoginAsync(userId, nodeId, cancellationToken).ConfigureAwait(false);
        return node <= localLimit && total <= clusterLimit;
    }

    /// <inheritdoc />
    public Task ResetAsync(string userId, CancellationToken cancellationToken) =>
        consensus.ResetFailedLoginsAsync(userId, nodeId, cancellationToken);
}
