using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Randomness;
using Threshold.Rounds;
using Threshold.Rounds.Runner;
using Threshold.Rounds.Signing;

namespace Threshold.Cggmp.Tests;

/// <summary>Runs key generation for n parties in memory, with seeded per-party randomness.</summary>
internal static class KeygenHarness
{
    public static (List<Party<KeyShare>> Parties, IReadOnlyList<IMessageSigner> Signers) Create(Curve curve, int threshold, int n, string seed)
    {
        var (signers, directory) = EcdsaPartyKeys.Generate(n);
        var parties = Enumerable.Range(1, n).ToList();
        var config = new KeygenConfig(curve, threshold, parties, System.Text.Encoding.UTF8.GetBytes("keygen " + seed));
        var rng = new SeededRandom(seed);
        var list = parties.Select(i => Keygen.Create(config, new PartyIdentity(signers[i - 1], directory), rng.Fork($"party-{i}"))).ToList();
        return (list, signers);
    }

    public static IReadOnlyList<KeyShare> Run(Curve curve, int threshold, int n, string seed)
    {
        var (parties, _) = Create(curve, threshold, n, seed);
        var report = InMemoryNetwork.Run(parties);
        Assert.True(report.AllCompleted, string.Join("; ", parties.SelectMany(p => p.Culprits).Select(c => c.Reason)));
        return [.. parties.Select(p => p.Result)];
    }
}
