using Threshold.Storage.Consensus;

namespace Threshold.System.Tests;

/// <summary>
/// A node's link to a consensus store that the test can cut: while <see cref="Down"/>, every call fails as
/// an unreachable store would. Counts state-version publications (attempted, and those that got through).
/// </summary>
internal sealed class FaultyConsensusStore(IConsensusStore inner) : IConsensusStore
{
    private readonly Lock gate = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> waiters = [];
    private int attempts;
    private volatile bool down;

    /// <summary>Whether the store is unreachable.</summary>
    public bool Down
    {
        get => down;
        set => down = value;
    }

    /// <summary>Publications attempted so far, failed or not.</summary>
    public int PublishAttempts
    {
        get
        {
            lock (gate)
            {
                return attempts;
            }
        }
    }

    /// <summary>Completes once <paramref name="count"/> publications have been attempted; fails after <paramref name="timeout"/> saying so.</summary>
    public async Task WaitForPublishAttemptsAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (attempts >= count)
            {
                return;
            }

            waiters.Add((count, reached));
        }

        try
        {
            await reached.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {timeout.TotalSeconds} s for publication attempt {count}; saw {PublishAttempts}");
        }
    }

    public Task<LoginAdmission> AdmitLoginAttemptAsync(LoginAttempt attempt, LoginBudgetPolicy policy, CancellationToken cancellationToken = default) => Reach(() => inner.AdmitLoginAttemptAsync(attempt, policy, cancellationToken));

    public Task<bool> RefundLoginAttemptAsync(string user, ReadOnlyMemory<byte> attemptId, string node, LoginBudgetPolicy policy, CancellationToken cancellationToken = default) => Reach(() => inner.RefundLoginAttemptAsync(user, attemptId, node, policy, cancellationToken));

    public Task<LoginBudgetState> LoginBudgetAsync(string user, LoginBudgetPolicy policy, CancellationToken cancellationToken = default) => Reach(() => inner.LoginBudgetAsync(user, policy, cancellationToken));

    public Task<long> UnlockLoginAsync(string user, string by, string reason, CancellationToken cancellationToken = default) => Reach(() => inner.UnlockLoginAsync(user, by, reason, cancellationToken));

    public Task<IReadOnlyList<LoginUnlock>> UnauditedLoginUnlocksAsync(string node, CancellationToken cancellationToken = default) => Reach(() => inner.UnauditedLoginUnlocksAsync(node, cancellationToken));

    public Task MarkLoginUnlocksAuditedAsync(string node, long sequence, CancellationToken cancellationToken = default) => Reach(() => inner.MarkLoginUnlocksAuditedAsync(node, sequence, cancellationToken));

    public Task<LoginStoreUsage> SweepLoginStateAsync(CancellationToken cancellationToken = default) => Reach(() => inner.SweepLoginStateAsync(cancellationToken));

    public Task PublishStateVersionAsync(string node, long version, CancellationToken cancellationToken = default)
    {
        List<TaskCompletionSource> reached;
        lock (gate)
        {
            attempts++;
            reached = [.. waiters.Where(w => w.Count <= attempts).Select(w => w.Reached)];
            waiters.RemoveAll(w => w.Count <= attempts);
        }

        try
        {
            return Reach(() => inner.PublishStateVersionAsync(node, version, cancellationToken));
        }
        finally
        {
            reached.ForEach(r => r.TrySetResult());
        }
    }

    public Task<long?> StateVersionAsync(string node, CancellationToken cancellationToken = default) => Reach(() => inner.StateVersionAsync(node, cancellationToken));

    public Task HeartbeatAsync(string node, CancellationToken cancellationToken = default) => Reach(() => inner.HeartbeatAsync(node, cancellationToken));

    public Task<IReadOnlyList<NodeHeartbeat>> LiveNodesAsync(TimeSpan within, CancellationToken cancellationToken = default) => Reach(() => inner.LiveNodesAsync(within, cancellationToken));

    private Task<T> Reach<T>(Func<Task<T>> call) => Down ? Task.FromException<T>(new IOException("consensus store unreachable (cut by the test)")) : call();

    private Task Reach(Func<Task> call) => Down ? Task.FromException(new IOException("consensus store unreachable (cut by the test)")) : call();
}
