using System.Buffers;
using System.Numerics;
using System.Security.Cryptography;

namespace Threshold.Arithmetic;

/// <summary>
/// Uniform sampling of big integers from a caller-supplied generator (the system CSPRNG in
/// production, a seeded per-party generator in tests). Rejection sampling: no modulo bias.
/// </summary>
public static class Sampling
{
    /// <summary>Uniform in [0, <paramref name="bound"/>).</summary>
    public static BigInteger Below(RandomNumberGenerator rng, BigInteger bound)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (bound.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), "bound must be positive");
        }

        var bits = (int)(bound - 1).GetBitLength();
        while (true)
        {
            var candidate = Bits(rng, bits);
            if (candidate < bound)
            {
                return candidate;
            }
        }
    }

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>] (both ends included).</summary>
    public static BigInteger Between(RandomNumberGenerator rng, BigInteger low, BigInteger high)
    {
        if (high < low)
        {
            throw new ArgumentOutOfRangeException(nameof(high), "empty range");
        }

        return low + Below(rng, high - low + 1);
    }

    /// <summary>Uniform in the signed range ±2^<paramref name="bits"/>, that is [−2^k, 2^k].</summary>
    public static BigInteger Signed(RandomNumberGenerator rng, int bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        var half = BigInteger.One << bits;
        return Between(rng, -half, half);
    }

    /// <summary>Uniform in the signed range ±<paramref name="bound"/>, that is [−bound, bound].</summary>
    public static BigInteger Signed(RandomNumberGenerator rng, BigInteger bound) => Between(rng, -bound, bound);

    /// <summary>Uniform in Z*_N: in [1, N) and coprime to N.</summary>
    public static BigInteger Unit(RandomNumberGenerator rng, BigInteger modulus, IArithmetic arithmetic)
    {
        ArgumentNullException.ThrowIfNull(arithmetic);
        while (true)
        {
            var candidate = Below(rng, modulus);
            if (!candidate.IsZero && arithmetic.IsCoprime(candidate, modulus))
            {
                return candidate;
            }
        }
    }

    /// <summary>Uniform in [0, 2^<paramref name="bits"/>).</summary>
    public static BigInteger Bits(RandomNumberGenerator rng, int bits)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        if (bits == 0)
        {
            return BigInteger.Zero;
        }

        var length = (bits + 7) / 8;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var span = buffer.AsSpan(0, length);
            rng.GetBytes(span);
            var excess = (length * 8) - bits;
            span[^1] &= (byte)(0xFF >> excess);
            return new BigInteger(span, isUnsigned: true, isBigEndian: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, length));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
