using System.Numerics;
using Threshold.Primes;
using Threshold.Simulator.Scenarios;

namespace Threshold.Simulator.Engine;

/// <summary>
/// Safe primes for aux-info runs, taken once from a pregenerated pool and handed to every run afresh,
/// so no run waits for prime generation. With fewer than 2n primes on hand they are reused in turn
/// (two parties may then share a modulus: harmless in a simulation, never in production).
/// </summary>
internal sealed class PrimeSupply(Func<PrimePool> source, int bits)
{
    private readonly Lazy<List<BigInteger>> primes = new(() =>
    {
        var pool = source();
        var list = new List<BigInteger>();
        while (pool.Count(bits) > 0)
        {
            // Not disposed: the value shares its limbs with the holder, and these primes are reused by every run.
            list.Add(pool.Take(bits).Value);
        }

        return list.Count >= 2 ? list : throw new ScenarioException($"the prime pool holds {list.Count} safe primes of {bits} bits; aux-info needs at least 2");
    });

    /// <summary>A fresh pool with 2·<paramref name="parties"/> primes.</summary>
    public PrimePool Pool(int parties)
    {
        var pool = new PrimePool();
        for (var k = 0; k < 2 * parties; k++)
        {
            pool.Add(bits, primes.Value[k % primes.Value.Count]);
        }

        return pool;
    }
}
