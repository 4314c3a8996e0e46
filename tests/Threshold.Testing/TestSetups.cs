using System.Collections.Concurrent;
using Threshold.Paillier;
using Threshold.Randomness;

namespace Threshold.Testing;

/// <summary>
/// Cached ring-Pedersen setups over the pregenerated Paillier keys: setup i of a level lives on
/// Paillier key i (as in CGGMP21's aux-info, where N̂_i = N_i). Shared: do not dispose.
/// </summary>
public static class TestSetups
{
    private static readonly ConcurrentDictionary<(string, int), RingPedersenSecret> Setups = new();

    /// <summary>The ring-Pedersen secret (with public parameters) on Paillier key <paramref name="index"/>.</summary>
    public static RingPedersenSecret RingPedersen(SecurityLevel level, int index)
    {
        ArgumentNullException.ThrowIfNull(level);
        return Setups.GetOrAdd((level.Name, index), _ =>
            RingPedersenSecret.Generate(TestPrimes.PaillierKey(level, index), new SeededRandom($"ring-pedersen {level.Name} {index}")));
    }
}
