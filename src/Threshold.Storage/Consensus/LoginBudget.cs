// The cluster-wide login budget: a token bucket per user (burst B, one attempt back every interval I),
// kept as one "theoretical arrival time" per user (the generic cell rate algorithm, GCRA), and one
// record per login attempt so that an attempt is charged once however many nodes answer it.
namespace Threshold.Storage.Consensus;

/// <summary>
/// How a user's login budget refills. A user starts with <see cref="Burst"/> attempts; each charged
/// attempt takes one, each <see cref="RefillInterval"/> gives one back (up to the burst), and a
/// successful login gives back the attempt it was charged. Over any window of length T at most
/// <c>Burst + ⌊T / RefillInterval⌋</c> attempts stay charged (see <see cref="MaxChargedWithin"/>).
/// </summary>
public sealed record LoginBudgetPolicy
{
    /// <summary>The largest burst a policy may allow.</summary>
    public const int MaxBurst = 10_000;

    /// <summary>Creates a policy.</summary>
    /// <param name="burst">Attempts a full budget holds (1 to <see cref="MaxBurst"/>).</param>
    /// <param name="refillInterval">Time to win one attempt back: whole milliseconds, 1 s to 366 days.</param>
    /// <param name="attemptLifetime">How long an attempt's record lives (its KE1s and its refund must come within it): whole milliseconds, 1 s to 1 day.</param>
    public LoginBudgetPolicy(int burst, TimeSpan refillInterval, TimeSpan attemptLifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(burst, MaxBurst);
        CheckMilliseconds(refillInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(366), nameof(refillInterval));
        CheckMilliseconds(attemptLifetime, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), nameof(attemptLifetime));
        Burst = burst;
        RefillInterval = refillInterval;
        AttemptLifetime = attemptLifetime;
    }

    /// <summary>
    /// Threshold's default: a burst of 10, one attempt back every 8 hours, attempt records kept 10
    /// minutes. At most 100 charged attempts in any 30 days (NIST SP 800-63B §5.2.2's ceiling) and
    /// 1,105 in any 365 days.
    /// </summary>
    public static LoginBudgetPolicy Default { get; } = new(10, TimeSpan.FromHours(8), TimeSpan.FromMinutes(10));

    /// <summary>B: attempts a full budget holds.</summary>
    public int Burst { get; }

    /// <summary>I: the time it takes to win one attempt back.</summary>
    public TimeSpan RefillInterval { get; }

    /// <summary>How long an attempt's record lives.</summary>
    public TimeSpan AttemptLifetime { get; }

    /// <summary>The same policy with another burst (a node's own limit keeps a little more slack than the cluster's).</summary>
    public LoginBudgetPolicy WithBurst(int burst) => new(burst, RefillInterval, AttemptLifetime);

    /// <summary>
    /// The most attempts that can stay charged (charged and not refunded) over any window of length
    /// <paramref name="window"/>, between operator unlocks: <c>B + ⌊T / I⌋</c>.
    /// </summary>
    public long MaxChargedWithin(TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        return Burst + (window.Ticks / RefillInterval.Ticks);
    }

    /// <inheritdoc />
    public override string ToString() => $"burst {Burst}, one back every {RefillInterval}, attempts kept {AttemptLifetime}";

    private static void CheckMilliseconds(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max || value.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"must be whole milliseconds between {min} and {max}");
        }
    }
}

/// <summary>One node's part in a login attempt: the user, the attempt id the wallet chose, what the attempt's KE1s must all carry, and the node answering.</summary>
public sealed class LoginAttempt
{
    /// <summary>Length of an attempt id.</summary>
    public const int IdLength = 16;

    /// <summary>Length of a binding (a SHA-256 digest).</summary>
    public const int BindingLength = 32;

    private readonly byte[] id;
    private readonly byte[] binding;

    /// <summary>Describes the attempt.</summary>
    /// <param name="user">The user id (1–256 characters without control characters).</param>
    /// <param name="id">The attempt id: 16 bytes the wallet drew for this login.</param>
    /// <param name="binding">32 bytes every KE1 of the attempt must match (a digest of its OPRF blinded element).</param>
    /// <param name="node">The node answering (1–256 characters).</param>
    public LoginAttempt(string user, ReadOnlySpan<byte> id, ReadOnlySpan<byte> binding, string node)
    {
        Internal.Names.Id(user, nameof(user));
        Internal.Names.Id(node, nameof(node));
        if (id.Length != IdLength)
        {
            throw new ArgumentException($"an attempt id is {IdLength} bytes", nameof(id));
        }

        if (binding.Length != BindingLength)
        {
            throw new ArgumentException($"a binding is {BindingLength} bytes", nameof(binding));
        }

        User = user;
        Node = node;
        this.id = id.ToArray();
        this.binding = binding.ToArray();
    }

    /// <summary>The user.</summary>
    public string User { get; }

    /// <summary>The attempt id.</summary>
    public ReadOnlySpan<byte> Id => id;

    /// <summary>What every KE1 of the attempt must match.</summary>
    public ReadOnlySpan<byte> Binding => binding;

    /// <summary>The node answering.</summary>
    public string Node { get; }

    /// <inheritdoc />
    public override string ToString() => $"login attempt {Convert.ToHexStringLower(id)} of {User} at {Node}";
}

/// <summary>What the consensus store decided about one node's part in a login attempt.</summary>
public enum LoginAdmissionOutcome
{
    /// <summary>A new attempt: one attempt was taken from the user's budget; the node may answer.</summary>
    Charged,

    /// <summary>The attempt was already charged (another node answered it first); the node may answer, nothing more is taken.</summary>
    Joined,

    /// <summary>The budget is empty: nothing was taken or stored; the node must refuse until <see cref="LoginAdmission.LockedUntil"/>.</summary>
    Locked,

    /// <summary>This node already answered this attempt: one attempt id buys at most one KE1 per node.</summary>
    AlreadyServed,

    /// <summary>The attempt's KE1s carry another blinded element: one attempt tests one password.</summary>
    BindingMismatch,
}

/// <summary>The verdict on one node's part in a login attempt.</summary>
/// <param name="Outcome">Whether the node may answer, and why (not).</param>
/// <param name="TokensLeft">Whole attempts left in the user's budget afterwards.</param>
/// <param name="LockedUntil">When the next attempt becomes available, if none is left (store clock, millisecond precision).</param>
public readonly record struct LoginAdmission(LoginAdmissionOutcome Outcome, int TokensLeft, DateTimeOffset? LockedUntil)
{
    /// <summary>Whether the node may answer the KE1.</summary>
    public bool Admitted => Outcome is LoginAdmissionOutcome.Charged or LoginAdmissionOutcome.Joined;
}

/// <summary>A user's budget as it stands.</summary>
/// <param name="TokensLeft">Whole attempts available now.</param>
/// <param name="NextTokenAt">When the next attempt comes back, or null when the budget is full.</param>
public readonly record struct LoginBudgetState(int TokensLeft, DateTimeOffset? NextTokenAt);

/// <summary>An operator's unlock of a user's budget, as journalled in the consensus store for every node to audit.</summary>
/// <param name="Sequence">Its place in the journal (1, 2, …).</param>
/// <param name="User">The user whose budget was refilled.</param>
/// <param name="At">When (store clock).</param>
/// <param name="By">Who asked for it (operator and host, as the tool recorded it).</param>
/// <param name="Reason">Why, as the operator wrote it.</param>
public sealed record LoginUnlock(long Sequence, string User, DateTimeOffset At, string By, string Reason);

/// <summary>What the login budget keeps in the store: every figure is bounded by rate × lifetime.</summary>
/// <param name="Budgets">Users whose budget is not full (a full budget takes no row).</param>
/// <param name="Attempts">Login attempts younger than their lifetime.</param>
/// <param name="AttemptNodes">(attempt, node) pairs of those attempts (at most n per attempt).</param>
/// <param name="Unlocks">Operator unlocks journalled (operator actions only).</param>
public readonly record struct LoginStoreUsage(long Budgets, long Attempts, long AttemptNodes, long Unlocks);

/// <summary>
/// The token bucket of one user as a theoretical arrival time (GCRA): with <c>tat</c> the time at which
/// the bucket is full again, the tokens at time <c>now</c> are <c>B − max(0, tat − now) / I</c>. A charge
/// needs <c>tat − now ≤ (B − 1)·I</c> and moves <c>tat</c> on by I; a refund moves it back by I; a
/// bucket whose <c>tat</c> has passed is full and needs no row. All times in Unix milliseconds.
/// </summary>
public static class LoginBucket
{
    /// <summary>Charges one attempt at <paramref name="now"/>; the new tat when admitted, the time the next token comes when not.</summary>
    public static (bool Admitted, long Tat, int TokensLeft, long? NextToken) Charge(long? storedTat, long now, LoginBudgetPolicy policy)
    {
        var interval = Milliseconds(policy.RefillInterval);
        var tolerance = (policy.Burst - 1) * interval;
        var tat = Math.Max(storedTat ?? now, now);
        if (tat - now > tolerance)
        {
            return (false, tat, 0, tat - tolerance);
        }

        var next = tat + interval;
        var (left, nextToken) = Peek(next, now, policy);
        return (true, next, left, nextToken);
    }

    /// <summary>Gives one attempt back; null when the bucket is full afterwards (its row can go).</summary>
    public static long? Refund(long? storedTat, long now, LoginBudgetPolicy policy)
    {
        if (storedTat is not { } tat)
        {
            return null;
        }

        var back = tat - Milliseconds(policy.RefillInterval);
        return back > now ? back : null;
    }

    /// <summary>The whole tokens available at <paramref name="now"/> and when the next comes back (null: full).</summary>
    public static (int TokensLeft, long? NextToken) Peek(long? storedTat, long now, LoginBudgetPolicy policy)
    {
        var interval = Milliseconds(policy.RefillInterval);
        if (storedTat is not { } tat || tat <= now)
        {
            return (policy.Burst, null);
        }

        // 0 < spent ≤ B·I; the next whole token comes when spent falls to the multiple of I below it.
        var spent = tat - now;
        var left = (int)Math.Max(0, ((policy.Burst * interval) - spent) / interval);
        return (left, tat - (((spent - 1) / interval) * interval));
    }

    /// <summary>A span in whole milliseconds.</summary>
    public static long Milliseconds(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMillisecond;
}
