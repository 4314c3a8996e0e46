using System.Collections.Concurrent;
using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Primes;

namespace Threshold.Testing;

/// <summary>
/// Safe primes generated once by this project's generator and kept as test data (16 each of 1024 and
/// 1536 bits), so no test waits for prime generation. Key i of a level uses primes 2i and 2i + 1.
/// </summary>
public static class TestPrimes
{
    private static readonly Lazy<IReadOnlyDictionary<int, BigInteger[]>> All = new(Load);
    private static readonly ConcurrentDictionary<(string, int), PaillierSecretKey> Keys = new();

    /// <summary>How many distinct Paillier keys each level offers.</summary>
    public const int KeysPerLevel = 8;

    /// <summary>The pregenerated safe primes of <paramref name="bits"/> bits.</summary>
    public static IReadOnlyList<BigInteger> OfBits(int bits) => All.Value[bits];

    /// <summary>The i-th pair of distinct safe primes for <paramref name="level"/>.</summary>
    public static (BigInteger P, BigInteger Q) Pair(SecurityLevel level, int index)
    {
        ArgumentNullException.ThrowIfNull(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, KeysPerLevel);
        var primes = All.Value[level.PrimeBits];
        return (primes[2 * index], primes[(2 * index) + 1]);
    }

    /// <summary>
    /// A shared Paillier key (key i of the level), built once per process with the default backend.
    /// Shared: do not dispose it.
    /// </summary>
    public static PaillierSecretKey PaillierKey(SecurityLevel level, int index)
    {
        ArgumentNullException.ThrowIfNull(level);
        return Keys.GetOrAdd((level.Name, index), _ =>
        {
            var (p, q) = Pair(level, index);
            return PaillierSecretKey.FromSafePrimes(p, q, Backends.Default);
        });
    }

    /// <summary>A fresh pool holding copies of the test primes (for code that takes from a pool).</summary>
    public static PrimePool Pool()
    {
        var pool = new PrimePool(Backends.Default);
        using var reader = OpenData();
        pool.Read(reader);
        return pool;
    }

    private static IReadOnlyDictionary<int, BigInteger[]> Load()
    {
        var byBits = new Dictionary<int, List<BigInteger>>();
        using var reader = OpenData();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var parts = line.Split(' ');
            var bits = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            var prime = BigInteger.Parse("0" + parts[1], System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
            (byBits.TryGetValue(bits, out var list) ? list : byBits[bits] = []).Add(prime);
        }

        return byBits.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    private static StreamReader OpenData() =>
        new(typeof(TestPrimes).Assembly.GetManifestResourceStream("safe-primes.txt")
            ?? throw new InvalidOperationException("embedded safe-primes.txt is missing"));
}
