namespace Threshold.Primes;

/// <summary>The odd primes below 2^16, by a sieve of Eratosthenes run once per process.</summary>
internal static class SmallPrimes
{
    public const int Limit = 1 << 16;

    /// <summary>Odd primes below 2^16 (6541 of them).</summary>
    public static readonly int[] Odd = Sieve(Limit);

    /// <summary>All primes below 1000, for trial division.</summary>
    public static readonly int[] Below1000 = [2, .. Odd.TakeWhile(p => p < 1000)];

    private static int[] Sieve(int limit)
    {
        var composite = new bool[limit];
        var primes = new List<int>();
        for (var i = 3; i < limit; i += 2)
        {
            if (composite[i])
            {
                continue;
            }

            primes.Add(i);
            for (long j = (long)i * i; j < limit; j += 2L * i)
            {
                composite[j] = true;
            }
        }

        return [.. primes];
    }
}
