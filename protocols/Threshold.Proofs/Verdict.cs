namespace Threshold.Proofs;

/// <summary>
/// The outcome of verifying a proof: valid, or the name of the first check that failed (an equality
/// of the paper's verification step, a range bound, or a group-membership test). Names are stable
/// constants on each proof's <c>Checks</c> class, so tests and blame evidence can assert them.
/// </summary>
public readonly record struct Verdict
{
    private Verdict(string? failedCheck) => FailedCheck = failedCheck;

    /// <summary>A passing verdict.</summary>
    public static Verdict Valid => default;

    /// <summary>Null when valid; otherwise the stable name of the failed check, e.g. "enc.eq2".</summary>
    public string? FailedCheck { get; }

    /// <summary>Whether every check passed.</summary>
    public bool IsValid => FailedCheck is null;

    /// <summary>A failing verdict naming <paramref name="check"/>.</summary>
    public static Verdict Fail(string check) => new(check ?? throw new ArgumentNullException(nameof(check)));

    /// <summary>Fails with <paramref name="check"/> unless <paramref name="holds"/>.</summary>
    public static Verdict Require(bool holds, string check) => holds ? Valid : Fail(check);

    /// <summary>This verdict if it failed, else the next one (evaluated lazily, in order).</summary>
    public Verdict Then(Func<Verdict> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return IsValid ? next() : this;
    }

    /// <inheritdoc />
    public override string ToString() => IsValid ? "valid" : $"failed {FailedCheck}";
}
