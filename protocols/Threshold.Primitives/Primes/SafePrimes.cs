using System.Numerics;
using System.Security.Cryptography;
using Threshold.Arithmetic;

namespace Threshold.Primes;

/// <summary>Progress of a safe-prime search, reported about every 64 candidates.</summary>
/// <param name="Bits">Requested bit length.</param>
/// <param name="Candidates">Candidates that survived the sieve and were tested so far (all workers).</param>
/// <param name="Found">Safe primes found so far in this call.</param>
/// <param name="Wanted">Safe primes this call is producing.</param>
public readonly record struct SafePrimeProgress(int Bits, long Candidates, int Found, int Wanted);

/// <summary>
/// Generates safe primes p = 2q + 1 (q prime), as Paillier and ring-Pedersen moduli need.
/// Candidates for q run through a combined sieve that drops every offset where q or 2q + 1 has an odd
/// prime factor below 2^16, then a base-2 Fermat test on q and on p, then a full probable-prime test
/// of q (GMP: Baillie–PSW plus Miller–Rabin) and a Pocklington certificate for p given q
/// (2^(p−1) ≡ 1 mod p, p = 2q + 1, q &gt; √p). Workers run on every core; the first to finish wins.
/// </summary>
public static class SafePrimes
{
    private const int Window = 1 << 14;
    private const int ProgressEvery = 64;

    /// <summary>Whether p is a safe prime p ≡ 3 (mod 4) with (p − 1)/2 prime.</summary>
    public static bool IsSafePrime(BigInteger p, IArithmetic arithmetic, int rounds = 40)
    {
        ArgumentNullException.ThrowIfNull(arithmetic);
        return p > 7 && (p & 3) == 3 && arithmetic.IsProbablePrime((p - 1) >> 1, rounds) && arithmetic.IsProbablePrime(p, rounds);
    }

    /// <summary>
    /// One safe prime of exactly <paramref name="bits"/> bits with its two top bits set (so the product
    /// of two has exactly 2·bits bits).
    /// </summary>
    public static BigInteger Generate(
        int bits,
        IArithmetic? arithmetic = null,
        IProgress<SafePrimeProgress>? progress = null,
        CancellationToken cancellationToken = default,
        int? workers = null) =>
        GenerateAsync(bits, arithmetic, progress, cancellationToken, workers).GetAwaiter().GetResult();

    /// <summary>Async form of <see cref="Generate"/>; cancellation stops every worker promptly.</summary>
    public static async Task<BigInteger> GenerateAsync(
        int bits,
        IArithmetic? arithmetic = null,
        IProgress<SafePrimeProgress>? progress = null,
        CancellationToken cancellationToken = default,
        int? workers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 16);
        var a = arithmetic ?? Backends.Default;
        using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var counter = new Counter(bits, progress);
        var count = workers ?? Environment.ProcessorCount;
        var tasks = Enumerable.Range(0, Math.Max(1, count))
            .Select(_ => Task.Run(() => Search(bits, a, counter, race.Token), race.Token))
            .ToList();
        try
        {
            while (tasks.Count > 0)
            {
                var done = await Task.WhenAny(tasks).ConfigureAwait(false);
                tasks.Remove(done);
                if (done.IsCompletedSuccessfully && done.Result is { } prime)
                {
                    counter.Finish();
                    return prime;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException("safe-prime search ended without a result");
        }
        finally
        {
            await race.CancelAsync().ConfigureAwait(false);
        }
    }

    private static BigInteger? Search(int bits, IArithmetic arithmetic, Counter counter, CancellationToken token)
    {
        var sieve = new bool[Window];
        var residues = new int[SmallPrimes.Odd.Length];
        using var rng = RandomNumberGenerator.Create();
        while (!token.IsCancellationRequested)
        {
            // q0: bits−1 bits, top two bits set, odd. Candidates are q0 + 2k for k in [0, Window).
            var q0 = Sampling.Bits(rng, bits - 1) | (BigInteger.One << (bits - 2)) | (BigInteger.One << (bits - 3)) | 1;
            if ((q0 + (2 * Window)).GetBitLength() > bits - 1)
            {
                continue;
            }

            Mark(q0, sieve, residues);
            for (var k = 0; k < Window; k++)
            {
                if (sieve[k])
                {
                    continue;
                }

                if (token.IsCancellationRequested)
                {
                    return null;
                }

                counter.Tested();
                var q = q0 + (2 * k);
                if (!arithmetic.ModPow(2, q - 1, q).IsOne)
                {
                    continue;
                }

                var p = (2 * q) + 1;
                if (arithmetic.ModPow(2, p - 1, p).IsOne && arithmetic.IsProbablePrime(q, 32))
                {
                    return p;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// sieve[k] = true when q0 + 2k or 2(q0 + 2k) + 1 is divisible by a small odd prime r:
    /// q0 + 2k ≡ 0 and q0 + 2k ≡ (r − 1)/2 (mod r), solved for k with 2⁻¹ = (r + 1)/2.
    /// </summary>
    private static void Mark(BigInteger q0, bool[] sieve, int[] residues)
    {
        Array.Clear(sieve);
        var primes = SmallPrimes.Odd;
        for (var i = 0; i < primes.Length; i++)
        {
            residues[i] = (int)(q0 % primes[i]);
        }

        for (var i = 0; i < primes.Length; i++)
        {
            long r = primes[i];
            long half = (r + 1) / 2;
            long rq = residues[i];
            MarkClass((r - rq) % r * half % r, r, sieve);
            MarkClass(((r - 1) / 2 - rq + r) % r * half % r, r, sieve);
        }
    }

    private static void MarkClass(long start, long step, bool[] sieve)
    {
        for (var k = start; k < sieve.Length; k += step)
        {
            sieve[k] = true;
        }
    }

    private sealed class Counter(int bits, IProgress<SafePrimeProgress>? progress)
    {
        private long candidates;

        public void Tested()
        {
            var n = Interlocked.Increment(ref candidates);
            if (n % ProgressEvery == 0)
            {
                progress?.Report(new SafePrimeProgress(bits, n, 0, 1));
            }
        }

        public void Finish() => progress?.Report(new SafePrimeProgress(bits, Interlocked.Read(ref candidates), 1, 1));
    }
}
