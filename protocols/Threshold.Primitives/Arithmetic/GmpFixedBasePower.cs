using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Threshold.Interop.Gmp;

namespace Threshold.Arithmetic;

/// <summary>
/// Fixed-base exponentiation from a table of b^(j·16^i) for every 4-bit digit position i and digit
/// j (the fixed-window method of Brickell, Gordon, McCurley and Wilson, without its digit grouping):
/// b^e is the product of one table entry per digit of e, so a 2816-bit exponent costs 705
/// multiplications instead of 2816 squarings and about 560 multiplications.
/// <para>
/// Constant-time in the exponent: every digit position of the public bound is used; an entry is read
/// with GMP's <c>mpn_sec_tabselect</c>, which touches every entry of the row; products and reductions
/// are <c>mpn_sec_mul</c> and <c>mpn_sec_div_r</c>; a signed e is shifted by 2^bits and the result
/// multiplied by the public b^(−2^bits), so its sign is not branched on either. Scratch is wiped.
/// </para>
/// </summary>
internal sealed unsafe class GmpFixedBasePower : IFixedBasePower
{
    private const int Window = 4;
    private const int Entries = 1 << Window;
    private const int StackLimbs = 64;

    private readonly ulong[] table;
    private readonly ulong[] modulusLimbs;
    private readonly int limbs;
    private readonly int scratchLimbs;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, ulong[]> corrections = new();

    public GmpFixedBasePower(BigInteger value, BigInteger modulus, int maxBits)
    {
        Guard.OddModulus(modulus);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBits);
        Modulus = modulus;
        MaxBits = maxBits;
        Base = BigInteger.Remainder(value, modulus) is var r && r.Sign < 0 ? r + modulus : r;
        if (!GmpArithmetic.Instance.IsCoprime(Base, modulus))
        {
            throw new ArgumentException("the base must be a unit modulo the modulus", nameof(value));
        }

        limbs = (int)((modulus.GetBitLength() + 63) / 64);
        if (limbs > StackLimbs)
        {
            throw new ArgumentOutOfRangeException(nameof(modulus), $"fixed-base tables take moduli of at most {StackLimbs * 64} bits");
        }

        Rows = (maxBits + 2 + Window - 1) / Window;
        scratchLimbs = (int)Math.Max(GmpNative.SecMultiplyScratch(limbs, limbs), GmpNative.SecRemainderScratch(2 * limbs, limbs));
        modulusLimbs = ToLimbs(modulus);
        table = new ulong[(long)Rows * Entries * limbs];
        Build();
    }

    public BigInteger Base { get; }

    public BigInteger Modulus { get; }

    public int MaxBits { get; }

    /// <summary>Digit positions in the table: enough for exponents below 2^(MaxBits + 2).</summary>
    public int Rows { get; }

    public long Bytes => (long)table.Length * sizeof(ulong);

    /// <summary>The number of bytes a table for these sizes takes, before building it.</summary>
    public static long BytesFor(BigInteger modulus, int maxBits) =>
        (maxBits + 2 + Window - 1) / Window * (long)Entries * ((modulus.GetBitLength() + 63) / 64) * sizeof(ulong);

    public BigInteger Power(BigInteger exponent, int bits)
    {
        var shifted = Shift(exponent, bits);
        var digits = (bits + 2 + Window - 1) / Window;
        var correction = corrections.GetOrAdd(bits, Correction);

        Span<ulong> exponentLimbs = stackalloc ulong[((digits * Window) + 63) / 64];
        Span<ulong> accumulator = stackalloc ulong[limbs];
        Span<ulong> entry = stackalloc ulong[limbs];
        Span<ulong> product = stackalloc ulong[2 * limbs];
        Span<ulong> scratch = stackalloc ulong[scratchLimbs];
        try
        {
            shifted.TryWriteBytes(MemoryMarshal.AsBytes(exponentLimbs), out _, isUnsigned: true, isBigEndian: false);
            fixed (ulong* e = exponentLimbs, acc = accumulator, pick = entry, prod = product, tp = scratch, tab = table, m = modulusLimbs, c = correction)
            {
                GmpNative.SecTableSelect(acc, tab, limbs, Entries, Digit(e, 0));
                for (var i = 1; i < digits; i++)
                {
                    GmpNative.SecTableSelect(pick, tab + ((long)i * Entries * limbs), limbs, Entries, Digit(e, i));
                    MultiplyInto(acc, pick, prod, m, tp);
                }

                MultiplyInto(acc, c, prod, m, tp);
            }

            return new BigInteger(MemoryMarshal.AsBytes(accumulator), isUnsigned: true, isBigEndian: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(exponentLimbs));
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(accumulator));
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(entry));
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(product));
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(scratch));
        }
    }

    /// <summary>e + 2^bits ∈ [0, 2^(bits+1)], after checking bits ≤ MaxBits and |e| ≤ 2^bits.</summary>
    private BigInteger Shift(BigInteger exponent, int bits)
    {
        if (bits < 0 || bits > MaxBits)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), $"the bound must be in [0, {MaxBits}] bits");
        }

        var offset = BigInteger.One << bits;
        var shifted = exponent + offset;
        if (shifted.Sign < 0 || shifted > offset << 1)
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), "the exponent is outside ±2^bits");
        }

        return shifted;
    }

    /// <summary>The i-th 4-bit digit; the shift depends on i only.</summary>
    private static nint Digit(ulong* exponent, int i) => (nint)((exponent[i * Window / 64] >> (i * Window % 64)) & (Entries - 1));

    /// <summary>Row i holds b^(j·16^i) for j = 0..15; row i+1 starts from b^(16^(i+1)) = b^(15·16^i) · b^(16^i).</summary>
    private void Build()
    {
        Span<ulong> rowBase = stackalloc ulong[limbs];
        Span<ulong> product = stackalloc ulong[2 * limbs];
        Span<ulong> scratch = stackalloc ulong[scratchLimbs];
        ToLimbs(Base).CopyTo(rowBase);
        fixed (ulong* tab = table, b = rowBase, prod = product, tp = scratch, m = modulusLimbs)
        {
            for (var i = 0; i < Rows; i++)
            {
                var row = tab + ((long)i * Entries * limbs);
                row[0] = 1;
                new Span<ulong>(b, limbs).CopyTo(new Span<ulong>(row + limbs, limbs));
                for (var j = 2; j < Entries; j++)
                {
                    new Span<ulong>(row + ((j - 1) * limbs), limbs).CopyTo(new Span<ulong>(row + (j * limbs), limbs));
                    MultiplyInto(row + (j * limbs), b, prod, m, tp);
                }

                MultiplyInto(b, row + ((Entries - 1) * limbs), prod, m, tp);
            }
        }
    }

    /// <summary>b^(−2^bits) mod m, read off the table (b^(2^bits) is row bits/4, entry 2^(bits mod 4)) and inverted.</summary>
    private ulong[] Correction(int bits)
    {
        var offset = (((long)(bits / Window) * Entries) + (1 << (bits % Window))) * limbs;
        var power = new BigInteger(MemoryMarshal.AsBytes(table.AsSpan((int)offset, limbs)), isUnsigned: true, isBigEndian: false);
        return ToLimbs(GmpArithmetic.Instance.ModInverse(power, Modulus));
    }

    /// <summary>a ← a·b mod m with the side-channel-silent routines.</summary>
    private void MultiplyInto(ulong* a, ulong* b, ulong* product, ulong* modulus, ulong* scratch)
    {
        GmpNative.SecMultiply(product, a, limbs, b, limbs, scratch);
        GmpNative.SecRemainder(product, 2 * limbs, modulus, limbs, scratch);
        new Span<ulong>(product, limbs).CopyTo(new Span<ulong>(a, limbs));
    }

    private ulong[] ToLimbs(BigInteger value)
    {
        var result = new ulong[limbs];
        value.TryWriteBytes(MemoryMarshal.AsBytes(result.AsSpan()), out _, isUnsigned: true, isBigEndian: false);
        return result;
    }
}
