using System.Collections.Concurrent;

namespace Threshold.Node.Sessions;

/// <summary>
/// How many failed logins a user may still make. Every login attempt is charged before the node answers
/// it and refunded (reset) only by a successful KE3; charging and checking are one step, so concurrent
/// attempts cannot all pass a check made before any of them was counted. The cluster-wide
/// implementation sums every node's counter in the consensus store, so guesses spread over nodes count
/// together, while each node also enforces its own limit.
/// </summary>
public interface ILoginBudget
{
    /// <summary>Charges one attempt to the user at this node; false when that attempt exceeds the budget.</summary>
    Task<bool> TryChargeAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Clears this node's failures for the user after a successful login.</summary>
    Task ResetAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>A node's own limit on failed logins per user.</summary>
public sealed class LocalLoginBudget(int limit) : ILoginBudget
{
    private readonly ConcurrentDictionary<string, int> failures = new();

    /// <inheritdoc />
    public Task<bool> TryChargeAsync(string userId, CancellationToken cancellationToken) =>
        Task.FromResult(failures.AddOrUpdate(userId, 1, (_, n) => n + 1) <= limit);

    /// <inheritdoc />
    public Task ResetAsync(string userId, CancellationToken cancellationToken)
    {
        failures.TryRemove(userId, out _);
        return Task.CompletedTask;
    }
}
