using Threshold.Opaque.Cluster;
using Threshold.Storage.Consensus;

namespace Threshold.Server.Hosting;

/// <summary>
/// The operator's unlock of a user's login budget (<c>threshold node unlock</c>): fills the budget in the
/// cluster's consensus store and journals who did it and why; every node then applies it (clearing its
/// own limit for the user) and records it in its hash-chained audit log, within a second when it runs,
/// or when it next starts. Works while the nodes run: it needs only the consensus store, not a node's
/// database (which its running node holds exclusively).
/// </summary>
public static class LoginUnlock
{
    /// <summary>The longest reason kept (it goes into every node's audit log).</summary>
    public const int MaxReasonLength = 500;

    /// <summary>Unlocks <paramref name="userId"/> through the consensus store named in <paramref name="config"/>; returns the journal sequence.</summary>
    /// <exception cref="ArgumentException">The user id is malformed, or the reason too long or has control characters.</exception>
    /// <exception cref="InvalidOperationException">The node has no consensus store (each node then keeps its own budget, in memory: restarting the node clears it).</exception>
    public static async Task<long> RunAsync(NodeConfig config, string userId, string by, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(reason);
        if (!UserId.TryParse(userId, out _))
        {
            throw new ArgumentException($"a user id is {UserId.TextLength} lowercase hexadecimal characters", nameof(userId));
        }

        if (reason.Length > MaxReasonLength || reason.Any(char.IsControl))
        {
            throw new ArgumentException($"the reason is at most {MaxReasonLength} characters, on one line", nameof(reason));
        }

        if (config.Etcd is not null)
        {
            // With etcd the journal is the operator's alone (etcd root): a node's certificate may not write it.
            throw new InvalidOperationException($"node {config.NodeId} uses etcd: unlock as the etcd root (EtcdAccess.UnlockLoginAsync), not with a node's certificate");
        }

        if (config.ConsensusFile is not { } file)
        {
            throw new InvalidOperationException($"node {config.NodeId} has no consensus store: its login budget lives in its memory, and restarting it clears it");
        }

        await using var consensus = await SqliteConsensusStore.OpenAsync(file, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await consensus.UnlockLoginAsync(userId, by, reason, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Who is asking, as the journal and the audit logs record it: the local account and host, and the configuration used.</summary>
    public static string Operator(NodeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var by = $"{Environment.UserName}@{Environment.MachineName} with {config.NodeId}'s configuration";
        return by.Length <= 256 ? by : by[..256];
    }
}
