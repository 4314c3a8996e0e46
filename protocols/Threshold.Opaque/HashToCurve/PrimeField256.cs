// Arithmetic modulo an odd prime below 2^256 in Montgomery form (R = 2^256), four 64-bit limbs,
// for RFC 9380 hash_to_field (§5.2) and the straight-line Simplified SWU map (Appendix F.2).
// Every operation runs the same instructions whatever the values: carries and borrows are computed
// arithmetically, selections with masks; only public exponents drive branches.
using System.Numerics;

namespace Threshold.Opaque.HashToCurve;

/// <summary>An element of a <see cref="PrimeField256"/>, in Montgomery form, fully reduced (&lt; p).</summary>
internal readonly struct FieldElement
{
    internal readonly ulong L0, L1, L2, L3;

    internal FieldElement(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
    }
}

/// <summary>The prime field GF(p) for one 256-bit odd prime p (a curve's base field or group order).</summary>
internal sealed class PrimeField256
{
    private readonly FieldElement modulus;
    private readonly ulong inverse; // −p⁻¹ mod 2^64
    private readonly FieldElement r2; // R² mod p (plain limbs)
    private readonly FieldElement r3; // R³ mod p (plain limbs)

    internal PrimeField256(BigInteger p)
    {
        if (p.Sign <= 0 || p.IsEven || p.GetBitLength() > 256)
        {
            throw new ArgumentException("modulus must be an odd positive integer below 2^256", nameof(p));
        }

        Modulus = p;
        modulus = Limbs(p);
        var r = BigInteger.One << 256;
        r2 = Limbs(r * r % p);
        r3 = Limbs(r * r * r % p);

        // Newton iteration doubles the correct low bits of p⁻¹ mod 2^64 each round (1 → 64 in 6 rounds).
        ulong x = 1;
        for (var i = 0; i < 6; i++)
        {
            x = unchecked(x * (2 - (modulus.L0 * x)));
        }

        inverse = unchecked(0 - x);
        One = FromInteger(BigInteger.One);
        Zero = default;
    }

    /// <summary>p.</summary>
    internal BigInteger Modulus { get; }

    internal FieldElement One { get; }

    internal FieldElement Zero { get; }

    /// <summary>The element for a (public) integer, reduced modulo p.</summary>
    internal FieldElement FromInteger(BigInteger value)
    {
        var reduced = value % Modulus;
        if (reduced.Sign < 0)
        {
            reduced += Modulus;
        }

        return Multiply(Limbs(reduced), r2);
    }

    /// <summary>
    /// OS2IP of a big-endian string of at most 64 bytes, reduced modulo p (hash_to_field, §5.2): the value
    /// splits into high·2^256 + low, and Montgomery multiplications by R³ and R² bring both parts in.
    /// </summary>
    internal FieldElement FromBigEndian(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 64)
        {
            throw new ArgumentException("at most 64 bytes", nameof(bytes));
        }

        var lowLength = Math.Min(32, bytes.Length);
        var low = ReadBigEndian(bytes[^lowLength..]);
        var high = ReadBigEndian(bytes[..^lowLength]);
        return Add(Multiply(high, r3), Multiply(low, r2));
    }

    /// <summary>The canonical 32-byte big-endian encoding of the value (I2OSP(x, 32)).</summary>
    internal void ToBigEndian(FieldElement a, Span<byte> destination)
    {
        var plain = Multiply(a, new FieldElement(1, 0, 0, 0));
        WriteLimb(destination[0..8], plain.L3);
        WriteLimb(destination[8..16], plain.L2);
        WriteLimb(destination[16..24], plain.L1);
        WriteLimb(destination[24..32], plain.L0);
    }

    /// <summary>sgn0 for m = 1 (RFC 9380 §4.1): the parity of the canonical value.</summary>
    internal ulong Sign0(FieldElement a) => Multiply(a, new FieldElement(1, 0, 0, 0)).L0 & 1;

    internal FieldElement Add(FieldElement a, FieldElement b)
    {
        var s0 = AddWithCarry(a.L0, b.L0, 0, out var c);
        var s1 = AddWithCarry(a.L1, b.L1, c, out c);
        var s2 = AddWithCarry(a.L2, b.L2, c, out c);
        var s3 = AddWithCarry(a.L3, b.L3, c, out c);
        return ReduceOnce(new FieldElement(s0, s1, s2, s3), c);
    }

    internal FieldElement Subtract(FieldElement a, FieldElement b)
    {
        var d0 = SubtractWithBorrow(a.L0, b.L0, 0, out var borrow);
        var d1 = SubtractWithBorrow(a.L1, b.L1, borrow, out borrow);
        var d2 = SubtractWithBorrow(a.L2, b.L2, borrow, out borrow);
        var d3 = SubtractWithBorrow(a.L3, b.L3, borrow, out borrow);

        // Add p back when the subtraction borrowed.
        var mask = unchecked(0 - borrow);
        var r0 = AddWithCarry(d0, modulus.L0 & mask, 0, out var c);
        var r1 = AddWithCarry(d1, modulus.L1 & mask, c, out c);
        var r2Limb = AddWithCarry(d2, modulus.L2 & mask, c, out c);
        var r3Limb = AddWithCarry(d3, modulus.L3 & mask, c, out _);
        return new FieldElement(r0, r1, r2Limb, r3Limb);
    }

    internal FieldElement Negate(FieldElement a) => Subtract(Zero, a);

    /// <summary>Montgomery product a·b·R⁻¹ mod p (CIOS); inputs below 2^256 with a·b &lt; p·2^256.</summary>
    internal FieldElement Multiply(FieldElement a, FieldElement b)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
        Span<ulong> bLimbs = [b.L0, b.L1, b.L2, b.L3];
        for (var i = 0; i < 4; i++)
        {
            var bi = bLimbs[i];

            // t += a·b_i
            var carry = MultiplyAdd(a.L0, bi, t0, 0, out t0);
            carry = MultiplyAdd(a.L1, bi, t1, carry, out t1);
            carry = MultiplyAdd(a.L2, bi, t2, carry, out t2);
            carry = MultiplyAdd(a.L3, bi, t3, carry, out t3);
            t4 = AddWithCarry(t4, carry, 0, out var t5);

            // t = (t + m·p) / 2^64 with m chosen so that the low limb vanishes.
            var m = unchecked(t0 * inverse);
            carry = MultiplyAdd(m, modulus.L0, t0, 0, out _);
            carry = MultiplyAdd(m, modulus.L1, t1, carry, out t0);
            carry = MultiplyAdd(m, modulus.L2, t2, carry, out t1);
            carry = MultiplyAdd(m, modulus.L3, t3, carry, out t2);
            t3 = AddWithCarry(t4, carry, 0, out var c);
            t4 = t5 + c;
        }

        return ReduceOnce(new FieldElement(t0, t1, t2, t3), t4);
    }

    internal FieldElement Square(FieldElement a) => Multiply(a, a);

    /// <summary>a^e for a public exponent e (left-to-right square and multiply; e drives the branches, a does not).</summary>
    internal FieldElement Power(FieldElement a, BigInteger exponent)
    {
        var bits = exponent.ToByteArray(isUnsigned: true, isBigEndian: false);
        var result = One;
        for (var bit = (int)exponent.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = Square(result);
            if (((bits[bit >> 3] >> (bit & 7)) & 1) != 0)
            {
                result = Multiply(result, a);
            }
        }

        return result;
    }

    /// <summary>inv0 (RFC 9380 §4): a^(p−2), which maps 0 to 0.</summary>
    internal FieldElement Invert(FieldElement a) => Power(a, Modulus - 2);

    /// <summary>All-ones when a = 0, else zero.</summary>
    internal static ulong IsZeroMask(FieldElement a)
    {
        var v = a.L0 | a.L1 | a.L2 | a.L3;

        // (v | −v) has its top bit set exactly when v ≠ 0.
        var nonZero = (v | unchecked(0 - v)) >> 63;
        return unchecked(nonZero - 1);
    }

    /// <summary>All-ones when a = b (both are fully reduced, so limbs are canonical), else zero.</summary>
    internal static ulong EqualMask(FieldElement a, FieldElement b) =>
        IsZeroMask(new FieldElement(a.L0 ^ b.L0, a.L1 ^ b.L1, a.L2 ^ b.L2, a.L3 ^ b.L3));

    /// <summary>CMOV(a, b, c) of RFC 9380 §4: b when the mask is all-ones, a when it is zero.</summary>
    internal static FieldElement Select(FieldElement a, FieldElement b, ulong mask) => new(
        (a.L0 & ~mask) | (b.L0 & mask),
        (a.L1 & ~mask) | (b.L1 & mask),
        (a.L2 & ~mask) | (b.L2 & mask),
        (a.L3 & ~mask) | (b.L3 & mask));

    /// <summary>The plain (non-Montgomery) value, for tests and constants.</summary>
    internal BigInteger ToInteger(FieldElement a)
    {
        Span<byte> bytes = stackalloc byte[32];
        ToBigEndian(a, bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>Subtracts p once when the value (with its carry limb) is at least p; inputs below 2p.</summary>
    private FieldElement ReduceOnce(FieldElement t, ulong carry)
    {
        var d0 = SubtractWithBorrow(t.L0, modulus.L0, 0, out var borrow);
        var d1 = SubtractWithBorrow(t.L1, modulus.L1, borrow, out borrow);
        var d2 = SubtractWithBorrow(t.L2, modulus.L2, borrow, out borrow);
        var d3 = SubtractWithBorrow(t.L3, modulus.L3, borrow, out borrow);

        // Keep the difference when t ≥ p: either the carry limb is set or nothing borrowed.
        var keepDifference = unchecked(0 - (carry | (borrow ^ 1)));
        return Select(t, new FieldElement(d0, d1, d2, d3), keepDifference);
    }

    private static ulong AddWithCarry(ulong a, ulong b, ulong carryIn, out ulong carryOut)
    {
        var sum = unchecked(a + b + carryIn);
        carryOut = ((a & b) | ((a | b) & ~sum)) >> 63;
        return sum;
    }

    private static ulong SubtractWithBorrow(ulong a, ulong b, ulong borrowIn, out ulong borrowOut)
    {
        var difference = unchecked(a - b - borrowIn);
        borrowOut = ((~a & b) | (~(a ^ b) & difference)) >> 63;
        return difference;
    }

    /// <summary>hi:lo = a·b + c + d (cannot overflow 128 bits).</summary>
    private static ulong MultiplyAdd(ulong a, ulong b, ulong c, ulong d, out ulong low)
    {
        var high = Math.BigMul(a, b, out var product);
        var s = unchecked(product + c);
        high = unchecked(high + (((product & c) | ((product | c) & ~s)) >> 63));
        low = unchecked(s + d);
        high = unchecked(high + (((s & d) | ((s | d) & ~low)) >> 63));
        return high;
    }

    private static FieldElement ReadBigEndian(ReadOnlySpan<byte> bytes)
    {
        Span<byte> padded = stackalloc byte[32];
        padded.Clear();
        bytes.CopyTo(padded[(32 - bytes.Length)..]);
        var value = new FieldElement(
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(padded[24..32]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(padded[16..24]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(padded[8..16]),
            System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(padded[0..8]));
        padded.Clear();
        return value;
    }

    private static void WriteLimb(Span<byte> destination, ulong limb) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(destination, limb);

    private static FieldElement Limbs(BigInteger value)
    {
        Span<byte> bytes = stackalloc byte[32];
        bytes.Clear();
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return new FieldElement(
            BitConverter.ToUInt64(bytes[0..8]),
            BitConverter.ToUInt64(bytes[8..16]),
            BitConverter.ToUInt64(bytes[16..24]),
            BitConverter.ToUInt64(bytes[24..32]));
    }
}
