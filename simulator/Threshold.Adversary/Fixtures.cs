using System.Collections.Concurrent;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Randomness;
using Threshold.Rounds;
using Threshold.Rounds.Runner;
using Threshold.Rounds.Signing;

namespace Threshold.Adversary;

/// <summary>
/// Honest set-ups that campaign runs start from, made once: n parties' identity keys and aux info,
/// and keys of every (curve, t) over them.
/// </summary>
internal sealed class Fixtures(SecurityLevel level, Func<PrimePool> primes)
{
    private readonly ConcurrentDictionary<int, Lazy<(IReadOnlyList<IMessageSigner> Signers, EcdsaPartyKeys Directory)>> identities = new();
    private readonly ConcurrentDictionary<int, Lazy<(IReadOnlyList<IMessageSigner> Signers, EcdsaPartyKeys Directory, IReadOnlyList<AuxInfo> Aux)>> provisioned = new();
    private readonly ConcurrentDictionary<(string, int, int), Lazy<IReadOnlyList<KeyShare>>> keys = new();

    public SecurityLevel Level => level;

    /// <summary>A fresh pool of primes (for an aux-info run).</summary>
    public PrimePool Primes() => primes();

    /// <summary>Parties 1..n's identity keys, made once (without aux info, which costs far more).</summary>
    public (IReadOnlyList<IMessageSigner> Signers, EcdsaPartyKeys Directory) Identities(int n) =>
        identities.GetOrAdd(n, _ => new(() => EcdsaPartyKeys.Generate(n))).Value;

    public (IReadOnlyList<IMessageSigner> Signers, EcdsaPartyKeys Directory, IReadOnlyList<AuxInfo> Aux) Parties(int n) =>
        provisioned.GetOrAdd(n, _ => new(() => Provision(n))).Value;

    public IReadOnlyList<KeyShare> Key(Curve curve, int threshold, int n) =>
        keys.GetOrAdd((curve.Name, threshold, n), _ => new(() => Generate(curve, threshold, n))).Value;

    private (IReadOnlyList<IMessageSigner>, EcdsaPartyKeys, IReadOnlyList<AuxInfo>) Provision(int n)
    {
        var (signers, directory) = Identities(n);
        var config = new AuxInfoConfig(level, [.. Enumerable.Range(1, n)], System.Text.Encoding.UTF8.GetBytes($"fixture aux {n}"));
        var rng = new SeededRandom($"fixture aux {n}");
        var pool = primes();
        var parties = Enumerable.Range(1, n).Select(i => AuxInfoProtocol.Create(config, new Cggmp.KeyGeneration.PartyIdentity(signers[i - 1], directory), rng.Fork($"party-{i}"), pool)).ToList();
        Require(InMemoryNetwork.Run(parties).AllCompleted, "fixture aux-info");
        return (signers, directory, [.. parties.Select(p => p.Result)]);
    }

    private List<KeyShare> Generate(Curve curve, int threshold, int n)
    {
        var (signers, directory) = Identities(n);
        var config = new KeygenConfig(curve, threshold, [.. Enumerable.Range(1, n)], System.Text.Encoding.UTF8.GetBytes($"fixture keygen {curve.Name} {threshold} {n}"));
        var rng = new SeededRandom($"fixture keygen {curve.Name} {threshold} {n}");
        var parties = Enumerable.Range(1, n).Select(i => Keygen.Create(config, new PartyIdentity(signers[i - 1], directory), rng.Fork($"party-{i}"))).ToList();
        Require(InMemoryNetwork.Run(parties).AllCompleted, "fixture key generation");
        return [.. parties.Select(p => p.Result)];
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{what} failed with honest parties");
        }
    }
}
