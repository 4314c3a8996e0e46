// The presigning proofs' own parallelism: a prover's independent first-message values and a verifier's
// independent equations run on spare cores. With t = 2 a signer has one counterparty, and its proofs
// would otherwise leave the second core idle between rounds; with more counterparties the pool is
// already busy and these run inline.
namespace Threshold.Proofs;

/// <summary>Runs independent computations of one proof side by side and returns their results in order.</summary>
internal static class Concurrently
{
    /// <summary>Both results.</summary>
    public static (T1, T2) Run<T1, T2>(Func<T1> first, Func<T2> second)
    {
        T1 a = default!;
        T2 b = default!;
        Parallel.Invoke(() => a = first(), () => b = second());
        return (a, b);
    }

    /// <summary>All three results.</summary>
    public static (T1, T2, T3) Run<T1, T2, T3>(Func<T1> first, Func<T2> second, Func<T3> third)
    {
        T1 a = default!;
        T2 b = default!;
        T3 c = default!;
        Parallel.Invoke(() => a = first(), () => b = second(), () => c = third());
        return (a, b, c);
    }

    /// <summary>
    /// Evaluates every check at once and names the first that fails in the given order: the same verdict
    /// as running them one by one, for checks that are safe to evaluate whatever the others say.
    /// </summary>
    public static Verdict FirstFailure(IEnumerable<(string Check, Func<bool> Holds)> checks)
    {
        var list = checks.ToList();
        var holds = new bool[list.Count];
        Parallel.For(0, list.Count, n => holds[n] = list[n].Holds());
        var failed = Array.IndexOf(holds, false);
        return failed < 0 ? Verdict.Valid : Verdict.Fail(list[failed].Check);
    }
}
