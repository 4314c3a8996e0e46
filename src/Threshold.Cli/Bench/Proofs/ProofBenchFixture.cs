using System.Security.Cryptography;
using Threshold.Paillier;
using Threshold.Primes;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Keys the proof benchmarks share: for each level, a prover and a verifier, each with a Paillier key
/// and ring-Pedersen parameters on it. Made once from freshly generated safe primes (reported as a
/// status line, not as a result).
/// </summary>
internal sealed class ProofBenchFixture : IDisposable
{
    private readonly Dictionary<string, (PaillierSecretKey Key, RingPedersenSecret Setup)[]> parties = [];

    public ProofBenchFixture(IEnumerable<SecurityLevel> levels, Action<string> status)
    {
        var pool = new PrimePool();
        foreach (var level in levels)
        {
            var pair = new (PaillierSecretKey, RingPedersenSecret)[2];
            for (var i = 0; i < 2; i++)
            {
                status($"generating {level.ModulusBits}-bit Paillier key {i + 1}/2 for level {level.Name}");
                var key = PaillierSecretKey.Generate(level, pool);
                pair[i] = (key, RingPedersenSecret.Generate(key, Random));
            }

            parties[level.Name] = pair;
        }
    }

    public RandomNumberGenerator Random { get; } = RandomNumberGenerator.Create();

    /// <summary>The prover's Paillier key and ring-Pedersen setup.</summary>
    public (PaillierSecretKey Key, RingPedersenSecret Setup) Prover(SecurityLevel level) => parties[level.Name][0];

    /// <summary>The verifier's Paillier key and ring-Pedersen setup.</summary>
    public (PaillierSecretKey Key, RingPedersenSecret Setup) Verifier(SecurityLevel level) => parties[level.Name][1];

    public void Dispose()
    {
        foreach (var (key, setup) in parties.Values.SelectMany(p => p))
        {
            setup.Dispose();
            key.Dispose();
        }

        Random.Dispose();
    }
}
