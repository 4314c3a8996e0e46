// Arithmetic modulo a 256-bit odd group order q (secp256k1's or P-256's n) on four 64-bit limbs, for secret
// scalars: Montgomery multiplication (coarsely integrated operand scanning, R = 2^256) and addition, each
// finished by a masked conditional subtraction. No branch, loop bound or memory index depends on a value;
// carries and borrows come from bit formulas on the top bit, not from comparisons the JIT might branch on.
using System.Numerics;

namespace Threshold.Curves;

/// <summary>Constant-time fixed-width arithmetic modulo a curve order (values are 4 little-endian 64-bit limbs, below q).</summary>
internal sealed class ScalarField
{
    /// <summary>Limbs per value.</summary>
    public const int Limbs = 4;

    private readonly ulong[] q = new ulong[Limbs];
    private readonly ulong[] rSquared = new ulong[Limbs];
    private readonly ulong qInverse;

    /// <summary>Precomputes the constants for the public odd modulus <paramref name="order"/> (&lt; 2^256).</summary>
    public ScalarField(BigInteger order)
    {
        if (order.IsEven || order.GetBitLength() > 256 || order.Sign <= 0)
        {
            throw new ArgumentException("an odd modulus below 2^256", nameof(order));
        }

        ToLimbs(order, q);
        ToLimbs(BigInteger.ModPow(2, 512, order), rSquared);

        // −q⁻¹ mod 2^64 by Newton's iteration (q is public).
        unchecked
        {
            var inverse = 1UL;
            for (var i = 0; i < 6; i++)
            {
                inverse *= 2 - (q[0] * inverse);
            }

            qInverse = 0 - inverse;
        }
    }

    /// <summary>result = a·b mod q (two Montgomery multiplications: a·b·R⁻¹, then ·R²·R⁻¹).</summary>
    public void Multiply(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        Span<ulong> t = stackalloc ulong[Limbs];
        try
        {
            MontgomeryMultiply(a, b, t);
            MontgomeryMultiply(t, rSquared, result);
        }
        finally
        {
            t.Clear();
        }
    }

    /// <summary>result = a + b mod q.</summary>
    public void Add(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        Span<ulong> sum = stackalloc ulong[Limbs];
        try
        {
            ulong carry = 0;
            for (var i = 0; i < Limbs; i++)
            {
                sum[i] = AddWithCarry(a[i], b[i], carry, out carry);
            }

            ReduceOnce(sum, carry, result);
        }
        finally
        {
            sum.Clear();
        }
    }

    /// <summary>Whether <paramref name="value"/> &lt; q, computed without a branch (the borrow of value − q).</summary>
    public bool IsReduced(ReadOnlySpan<ulong> value)
    {
        ulong borrow = 0;
        for (var i = 0; i < Limbs; i++)
        {
            SubtractWithBorrow(value[i], q[i], borrow, out borrow);
        }

        return borrow == 1;
    }

    /// <summary>A uniform value in [0, q) from <paramref name="rng"/>, by rejection (which only reveals rejected draws).</summary>
    public void Random(System.Security.Cryptography.RandomNumberGenerator rng, Span<ulong> value)
    {
        Span<byte> bytes = stackalloc byte[32];
        try
        {
            do
            {
                rng.GetBytes(bytes);
                FromBigEndian(bytes, value);
            }
            while (!IsReduced(value));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The 32-byte big-endian encoding to limbs (the caller guarantees it is below q).</summary>
    public static void FromBigEndian(ReadOnlySpan<byte> encoded, Span<ulong> limbs)
    {
        for (var i = 0; i < Limbs; i++)
        {
            limbs[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(encoded.Slice(24 - (8 * i), 8));
        }
    }

    /// <summary>Limbs to the 32-byte big-endian encoding.</summary>
    public static void ToBigEndian(ReadOnlySpan<ulong> limbs, Span<byte> encoded)
    {
        for (var i = 0; i < Limbs; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(encoded.Slice(24 - (8 * i), 8), limbs[i]);
        }
    }

    private void MontgomeryMultiply(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b, Span<ulong> result)
    {
        Span<ulong> t = stackalloc ulong[Limbs + 2];
        t.Clear();
        try
        {
            unchecked
            {
                for (var i = 0; i < Limbs; i++)
                {
                    // t += a·b_i
                    ulong carry = 0;
                    for (var j = 0; j < Limbs; j++)
                    {
                        t[j] = MultiplyAdd(a[j], b[i], t[j], carry, out carry);
                    }

                    t[Limbs] = AddWithCarry(t[Limbs], carry, 0, out var top);
                    t[Limbs + 1] = top;

                    // t = (t + m·q) / 2^64 with m chosen so the low limb vanishes.
                    var m = t[0] * qInverse;
                    MultiplyAdd(m, q[0], t[0], 0, out carry);
                    for (var j = 1; j < Limbs; j++)
                    {
                        t[j - 1] = MultiplyAdd(m, q[j], t[j], carry, out carry);
                    }

                    t[Limbs - 1] = AddWithCarry(t[Limbs], carry, 0, out carry);
                    t[Limbs] = t[Limbs + 1] + carry;
                }
            }

            // t < 2q: one conditional subtraction.
            ReduceOnce(t[..Limbs], t[Limbs], result);
        }
        finally
        {
            t.Clear();
        }
    }

    /// <summary>result = value − q if value (with <paramref name="high"/> as bit 256) ≥ q, else value; value &lt; 2q.</summary>
    private void ReduceOnce(ReadOnlySpan<ulong> value, ulong high, Span<ulong> result)
    {
        Span<ulong> difference = stackalloc ulong[Limbs];
        unchecked
        {
            ulong borrow = 0;
            for (var i = 0; i < Limbs; i++)
            {
                difference[i] = SubtractWithBorrow(value[i], q[i], borrow, out borrow);
            }

            // Keep the difference when the value had bit 256 set or the subtraction did not borrow.
            var keep = 0 - (high | (borrow ^ 1));
            for (var i = 0; i < Limbs; i++)
            {
                result[i] = (difference[i] & keep) | (value[i] & ~keep);
            }
        }

        difference.Clear();
    }

    private static ulong MultiplyAdd(ulong a, ulong b, ulong addend, ulong carryIn, out ulong carryOut)
    {
        unchecked
        {
            var high = Math.BigMul(a, b, out var low);
            low = AddWithCarry(low, addend, 0, out var c1);
            low = AddWithCarry(low, carryIn, 0, out var c2);
            carryOut = high + c1 + c2;
            return low;
        }
    }

    private static ulong AddWithCarry(ulong a, ulong b, ulong carryIn, out ulong carryOut)
    {
        unchecked
        {
            var sum = a + b + carryIn;
            carryOut = ((a & b) | ((a | b) & ~sum)) >> 63;
            return sum;
        }
    }

    private static ulong SubtractWithBorrow(ulong a, ulong b, ulong borrowIn, out ulong borrowOut)
    {
        unchecked
        {
            var difference = a - b - borrowIn;
            borrowOut = ((~a & b) | (~(a ^ b) & difference)) >> 63;
            return difference;
        }
    }

    private static void ToLimbs(BigInteger value, Span<ulong> limbs)
    {
        Span<byte> encoded = stackalloc byte[32];
        value.TryWriteBytes(encoded[(32 - value.GetByteCount(isUnsigned: true))..], out _, isUnsigned: true, isBigEndian: true);
        FromBigEndian(encoded, limbs);
    }
}
