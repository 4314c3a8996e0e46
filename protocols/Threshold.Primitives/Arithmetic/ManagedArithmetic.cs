using System.Numerics;
using System.Security.Cryptography;
using Threshold.Primes;

namespace Threshold.Arithmetic;

/// <summary>
/// A backend with no native dependency, over <see cref="BigInteger"/>. Correct everywhere, about six
/// times slower than GMP at 4096-bit moduli. Its <see cref="ModPowSecret"/> performs the same
/// operations for every exponent bit (a Montgomery ladder), but <see cref="BigInteger"/> arithmetic is
/// itself not constant-time: prefer <see cref="GmpArithmetic"/> where timing attacks matter.
/// </summary>
public sealed class ManagedArithmetic : IArithmetic
{
    private ManagedArithmetic()
    {
    }

    internal static ManagedArithmetic Instance { get; } = new();

    private static RandomNumberGenerator SystemRandom { get; } = RandomNumberGenerator.Create();

    /// <inheritdoc />
    public string Name => "managed";

    /// <inheritdoc />
    public BigInteger ModPow(BigInteger value, BigInteger exponent, BigInteger modulus)
    {
        Guard.Modulus(modulus);
        var b = Reduce(value, modulus);
        if (exponent.Sign < 0)
        {
            if (!TryModInverse(b, modulus, out b))
            {
                throw new ArithmeticException("negative exponent of a value that is not invertible");
            }

            exponent = -exponent;
        }

        return BigInteger.ModPow(b, exponent, modulus);
    }

    /// <inheritdoc />
    public BigInteger ModPowSecret(BigInteger value, BigInteger exponent, BigInteger modulus)
    {
        Guard.OddModulus(modulus);
        Guard.NonNegative(exponent, nameof(exponent));
        var r0 = BigInteger.One % modulus;
        var r1 = Reduce(value, modulus);
        for (var i = (int)exponent.GetBitLength() - 1; i >= 0; i--)
        {
            // One multiplication and one squaring per bit, whichever the bit.
            var bit = !(exponent >> i).IsEven;
            var product = r0 * r1 % modulus;
            var squared = bit ? r1 : r0;
            var square = squared * squared % modulus;
            (r0, r1) = bit ? (product, square) : (square, product);
        }

        return r0;
    }

    /// <inheritdoc />
    public BigInteger MultiExp(BigInteger a, BigInteger x, BigInteger b, BigInteger y, BigInteger modulus) =>
        ModPow(a, x, modulus) * ModPow(b, y, modulus) % modulus;

    /// <inheritdoc />
    public BigInteger ModMul(BigInteger a, BigInteger b, BigInteger modulus)
    {
        Guard.Modulus(modulus);
        return Reduce(a * b, modulus);
    }

    /// <inheritdoc />
    public bool TryModInverse(BigInteger value, BigInteger modulus, out BigInteger inverse)
    {
        Guard.Modulus(modulus);
        if (modulus.IsOne)
        {
            inverse = BigInteger.Zero;
            return true;
        }

        // Extended Euclid on (a mod m, m), tracking only the coefficient of a.
        BigInteger r0 = Reduce(value, modulus), r1 = modulus, s0 = BigInteger.One, s1 = BigInteger.Zero;
        while (!r1.IsZero)
        {
            var q = BigInteger.DivRem(r0, r1, out var r);
            (r0, r1) = (r1, r);
            (s0, s1) = (s1, s0 - (q * s1));
        }

        inverse = r0.IsOne ? Reduce(s0, modulus) : BigInteger.Zero;
        return r0.IsOne;
    }

    /// <inheritdoc />
    public BigInteger Gcd(BigInteger a, BigInteger b) => BigInteger.GreatestCommonDivisor(a, b);

    /// <inheritdoc />
    public int Jacobi(BigInteger a, BigInteger n)
    {
        Guard.OddModulus(n);
        a = Reduce(a, n);
        var result = 1;
        while (!a.IsZero)
        {
            // Pull out factors of two: (2/n) = -1 exactly when n ≡ 3, 5 (mod 8).
            var twos = (int)BigInteger.TrailingZeroCount(a);
            a >>= twos;
            var n8 = (int)(n & 7);
            if ((twos & 1) == 1 && (n8 == 3 || n8 == 5))
            {
                result = -result;
            }

            // Quadratic reciprocity: flip when both are 3 (mod 4).
            (a, n) = (n, a);
            if ((a & 3) == 3 && (n & 3) == 3)
            {
                result = -result;
            }

            a %= n;
        }

        return n.IsOne ? result : 0;
    }

    /// <inheritdoc />
    public bool IsProbablePrime(BigInteger n, int rounds = 40)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        if (n < 2)
        {
            return false;
        }

        foreach (var p in SmallPrimes.Below1000)
        {
            if (n == p)
            {
                return true;
            }

            if ((n % p).IsZero)
            {
                return false;
            }
        }

        // Miller–Rabin: n − 1 = d · 2^s with d odd.
        var minusOne = n - 1;
        var s = (int)BigInteger.TrailingZeroCount(minusOne);
        var d = minusOne >> s;
        for (var round = 0; round < rounds; round++)
        {
            var a = Sampling.Below(SystemRandom, n - 3) + 2;
            var x = BigInteger.ModPow(a, d, n);
            if (x.IsOne || x == minusOne)
            {
                continue;
            }

            var witness = true;
            for (var i = 1; i < s && witness; i++)
            {
                x = x * x % n;
                witness = x != minusOne;
            }

            if (witness)
            {
                return false;
            }
        }

        return true;
    }

    private static BigInteger Reduce(BigInteger value, BigInteger modulus)
    {
        var r = value % modulus;
        return r.Sign < 0 ? r + modulus : r;
    }
}
