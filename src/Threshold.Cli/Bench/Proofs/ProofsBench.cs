using Threshold.Paillier;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>The suite behind <c>threshold bench proofs</c>: every <see cref="IProofBench"/> at each level.</summary>
internal static class ProofsBench
{
    public static IEnumerable<BenchResult> Run(IReadOnlyList<SecurityLevel> levels, IReadOnlyCollection<string>? only, Action<string> status)
    {
        var benches = typeof(IProofBench).Assembly.GetTypes()
            .Where(t => typeof(IProofBench).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Select(t => (IProofBench)Activator.CreateInstance(t)!)
            .Where(b => only is null || only.Count == 0 || only.Contains(b.Id))
            .OrderBy(b => b.Id, StringComparer.Ordinal)
            .ToList();
        using var fixture = new ProofBenchFixture(levels, status);
        foreach (var level in levels)
        {
            foreach (var bench in benches)
            {
                status($"proof {bench.Id} at {level.Name}");
                foreach (var result in bench.Run(level, fixture))
                {
                    yield return result;
                }
            }
        }
    }
}
