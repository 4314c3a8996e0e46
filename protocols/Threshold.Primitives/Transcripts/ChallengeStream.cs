using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using Threshold.Curves;

namespace Threshold.Transcripts;

/// <summary>
/// Challenge values expanded from a transcript digest in counter mode:
/// <c>block_i = H("threshold.challenge" ‖ seed ‖ i)</c>. Ranges are hit by rejection sampling, so
/// every value is exactly uniform (no modulo bias) given a random-oracle hash.
/// </summary>
public sealed class ChallengeStream
{
    private static readonly byte[] Tag = "threshold.challenge"u8.ToArray();

    private readonly byte[] seed;
    private readonly HashAlgorithmName algorithm;
    private byte[] block = [];
    private int used;
    private uint counter;

    internal ChallengeStream(byte[] seed, HashAlgorithmName algorithm)
    {
        this.seed = seed;
        this.algorithm = algorithm;
    }

    /// <summary>The next <paramref name="count"/> bytes of the stream.</summary>
    public byte[] NextBytes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var output = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (used == block.Length)
            {
                Refill();
            }

            var take = Math.Min(count - filled, block.Length - used);
            block.AsSpan(used, take).CopyTo(output.AsSpan(filled));
            used += take;
            filled += take;
        }

        return output;
    }

    /// <summary>Uniform in [0, 2^<paramref name="bits"/>).</summary>
    public BigInteger NextBits(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bits);
        var bytes = NextBytes((bits + 7) / 8);
        if (bytes.Length > 0)
        {
            bytes[0] &= (byte)(0xFF >> ((bytes.Length * 8) - bits));
        }

        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>One uniform bit.</summary>
    public bool NextBit() => !NextBits(1).IsZero;

    /// <summary>Uniform in [0, <paramref name="bound"/>).</summary>
    public BigInteger NextBelow(BigInteger bound)
    {
        if (bound.Sign <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), "bound must be positive");
        }

        var bits = (int)(bound - 1).GetBitLength();
        while (true)
        {
            var candidate = NextBits(bits);
            if (candidate < bound)
            {
                return candidate;
            }
        }
    }

    /// <summary>Uniform in [−<paramref name="bound"/>, <paramref name="bound"/>].</summary>
    public BigInteger NextSigned(BigInteger bound) => NextBelow((2 * bound) + 1) - bound;

    /// <summary>A uniform scalar modulo the order of <paramref name="curve"/>.</summary>
    public Scalar NextScalar(Curve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        return Scalar.FromValue(curve, NextBelow(curve.Order));
    }

    private void Refill()
    {
        using var h = IncrementalHash.CreateHash(algorithm);
        h.AppendData(Tag);
        h.AppendData(seed);
        Span<byte> index = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(index, counter++);
        h.AppendData(index);
        block = h.GetHashAndReset();
        used = 0;
    }
}
