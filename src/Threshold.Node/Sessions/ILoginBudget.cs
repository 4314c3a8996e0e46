using System.Collections.Concurrent;

namespace Threshold.Node.Sessions;

/// <summary>
/// How many failed logins a user may still make. A node consults it before every login and records
/// each failure; the cluster-wide implementation sums every node's counter in the consensus store, so
/// guesses spread over nodes count together, while each node also enforces its own limit.
/// </summary>
public interface ILoginBudget
{
    /// <summary>Whether the user may attempt a login now.</summary>
    Task<bool> AllowsAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Records a failed login at this node.</summary>
    Task RecordFailureAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Clears this node's failures for the user after a successful login.</summary>
    Task ResetAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>A node's own limit on failed logins per user.</summary>
public sealed class LocalLoginBudget(int limit) : ILoginBudget
{
    private readonly ConcurrentDictionary<string, int> failures = new();

    /// <inheritdoc />
    public Task<bool> AllowsAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult(failures.GetValueOrDefault(userId) < limit);

    /// <inheritdoc />
    public Task RecordFailureAsync(string userId, CancellationToken cancellationToken)
    {
        failures.AddOrUpdate(userId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ResetAsync(string userId, CancellationToken cancellationToken)
    {
        failures.TryRemove(userId, out _);
        return Task.CompletedTask;
    }
}
