namespace Threshold.Proofs;

/// <summary>
/// Verifies independent proofs on all cores. Returns every verdict in input order, so a caller can
/// blame each failing prover, not just the first.
/// </summary>
public static class ParallelVerification
{
    /// <summary>Runs each verification, in parallel, and returns the verdicts in order.</summary>
    public static IReadOnlyList<Verdict> VerifyAll(IReadOnlyList<Func<Verdict>> verifications)
    {
        ArgumentNullException.ThrowIfNull(verifications);
        var verdicts = new Verdict[verifications.Count];
        Parallel.For(0, verifications.Count, i => verdicts[i] = verifications[i]());
        return verdicts;
    }
}
