using Threshold.Storage.Consensus;

namespace Threshold.Node.Sessions;

/// <summary>
/// How many password attempts a user may make. A node asks before it answers a KE1 (after checking the
/// request is well formed: a malformed one is refused without charging), and gives the attempt back
/// when a KE3 proves the password. The budget refills over time (<see cref="LoginBudgetPolicy"/>), so no
/// user is locked out for good, and guesses stay bounded over any window.
/// </summary>
public interface ILoginBudget
{
    /// <summary>The policy this budget applies.</summary>
    LoginBudgetPolicy Policy { get; }

    /// <summary>
    /// Charges the attempt (once cluster-wide with a consensus store) or refuses it. Only
    /// <see cref="LoginAdmission.Admitted"/> verdicts let the node answer.
    /// </summary>
    Task<LoginAdmission> ChargeAsync(LoginAttempt attempt, CancellationToken cancellationToken);

    /// <summary>Gives back an attempt whose KE3 proved the password at this node.</summary>
    Task RefundAsync(LoginAttempt attempt, CancellationToken cancellationToken);

    /// <summary>Operator unlocks this node has not yet applied and audited, oldest first.</summary>
    Task<IReadOnlyList<LoginUnlock>> UnappliedUnlocksAsync(CancellationToken cancellationToken);

    /// <summary>Clears this node's own limit for the unlocked user and records the unlock as applied here.</summary>
    Task MarkAppliedAsync(LoginUnlock unlock, CancellationToken cancellationToken);
}

/// <summary>
/// A node's own budget, in memory: a token bucket per user charged for every KE1 this node answers.
/// Alone it is the budget of a cluster without a consensus store (each node limits what it answers); with
/// one it is defence in depth under the cluster's budget. Users whose bucket is full again take no memory.
/// </summary>
public sealed class LocalLoginBudget : ILoginBudget
{
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly Dictionary<string, long> buckets = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> refilled = new();

    /// <summary>A budget under <paramref name="policy"/>, timed by <paramref name="time"/>.</summary>
    public LocalLoginBudget(LoginBudgetPolicy policy, TimeProvider? time = null)
    {
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        this.time = time ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public LoginBudgetPolicy Policy { get; }

    /// <summary>Users whose bucket is not full (bounded by the charges of the last burst × interval).</summary>
    internal int Tracked
    {
        get
        {
            lock (gate)
            {
                Sweep(Now());
                return buckets.Count;
            }
        }
    }

    /// <inheritdoc />
    public Task<LoginAdmission> ChargeAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var now = Now();
        lock (gate)
        {
            Sweep(now);
            var (admitted, tat, left, next) = LoginBucket.Charge(Stored(attempt.User), now, Policy);
            if (!admitted)
            {
                return Task.FromResult(new LoginAdmission(LoginAdmissionOutcome.Locked, 0, At(next)));
            }

            Set(attempt.User, tat);
            return Task.FromResult(new LoginAdmission(LoginAdmissionOutcome.Charged, left, left == 0 ? At(next) : null));
        }
    }

    /// <inheritdoc />
    public Task RefundAsync(LoginAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var now = Now();
        lock (gate)
        {
            if (LoginBucket.Refund(Stored(attempt.User), now, Policy) is { } tat)
            {
                Set(attempt.User, tat);
            }
            else
            {
                buckets.Remove(attempt.User);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<LoginUnlock>> UnappliedUnlocksAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<LoginUnlock>>([]);

    /// <inheritdoc />
    public Task MarkAppliedAsync(LoginUnlock unlock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unlock);
        lock (gate)
        {
            buckets.Remove(unlock.User);
        }

        return Task.CompletedTask;
    }

    private static DateTimeOffset? At(long? unixMilliseconds) => unixMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long? Stored(string user) => buckets.TryGetValue(user, out var tat) ? tat : null;

    private void Set(string user, long tat)
    {
        buckets[user] = tat;
        refilled.Enqueue(user, tat);
    }

    /// <summary>Forgets users whose bucket is full again (their entry in the queue came due and was not superseded).</summary>
    private void Sweep(long now)
    {
        while (refilled.TryPeek(out var user, out var tat) && tat <= now)
        {
            refilled.Dequeue();
            if (buckets.TryGetValue(user, out var current) && current <= now)
            {
                buckets.Remove(user);
            }
        }
    }
}
