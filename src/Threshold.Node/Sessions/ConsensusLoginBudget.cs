using System.Collections.Concurrent;
using Threshold.Storage.Consensus;

namespace Threshold.Node.Sessions;

/// <summary>
/// The failed-login budget summed over the cluster: each node writes only its own counter in the
/// consensus store and refuses a login once the total reaches <paramref name="clusterLimit"/>, so guesses
/// spread across nodes count together; it also refuses once its own count reaches <paramref name="localLimit"/>.
/// </summary>
public sealed class ConsensusLoginBudget(IConsensusStore consensus, string nodeId, int clusterLimit, int localLimit) : ILoginBudget
{
    private readonly ConcurrentDictionary<string, long> local = new();

    /// <inheritdoc />
    public async Task<bool> AllowsAsync(string userId, CancellationToken cancellationToken) =>
        local.GetValueOrDefault(userId) < localLimit
        && await consensus.FailedLoginTotalAsync(userId, cancellationToken).ConfigureAwait(false) < clusterLimit;

    /// <inheritdoc />
    public async Task RecordFailureAsync(string userId, CancellationToken cancellationToken)
    {
        var counts = await consensus.RecordFailedLoginAsync(userId, nodeId, cancellationToken).ConfigureAwait(false);
        local[userId] = counts.Node;
    }

    /// <inheritdoc />
    public async Task ResetAsync(string userId, CancellationToken cancellationToken)
    {
        await consensus.ResetFailedLoginsAsync(userId, nodeId, cancellationToken).ConfigureAwait(false);
        local.TryRemove(userId, out _);
    }
}
