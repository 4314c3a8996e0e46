// RFC 9380 §5.3.1 expand_message_xmd, with §5.3.3 for domain separation tags over 255 bytes.
// SHA-256 (b = 32, s = 64 bytes) and SHA-512 (b = 64, s = 128 bytes).
using System.Security.Cryptography;
using System.Text;

namespace Threshold.Opaque.HashToCurve;

/// <summary>
/// expand_message_xmd (RFC 9380 §5.3.1): stretches a message into <c>len_in_bytes</c> uniform bytes
/// with a Merkle–Damgård hash, under a domain separation tag.
/// </summary>
public static class ExpandMessageXmd
{
    private const int MaxDstLength = 255;

    private static readonly byte[] OversizePrefix = Encoding.ASCII.GetBytes("H2C-OVERSIZE-DST-");

    /// <summary>
    /// Writes <c>expand_message_xmd(msg, DST, destination.Length)</c> into <paramref name="destination"/>.
    /// </summary>
    /// <param name="hash">SHA-256 or SHA-512.</param>
    /// <param name="message">msg.</param>
    /// <param name="dst">DST; one longer than 255 bytes is first hashed as §5.3.3 prescribes.</param>
    /// <param name="destination">uniform_bytes; its length is len_in_bytes (at most 255·b and 65535).</param>
    /// <exception cref="ArgumentException">Unsupported hash, empty DST, or a length the RFC forbids.</exception>
    public static void Expand(HashAlgorithmName hash, ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, Span<byte> destination)
    {
        var (b, s) = Sizes(hash);
        var lengthInBytes = destination.Length;
        var ell = (lengthInBytes + b - 1) / b;
        if (ell > 255 || lengthInBytes > ushort.MaxValue || lengthInBytes == 0)
        {
            throw new ArgumentException("len_in_bytes out of range for expand_message_xmd", nameof(destination));
        }

        if (dst.IsEmpty)
        {
            throw new ArgumentException("the domain separation tag must not be empty", nameof(dst));
        }

        // §5.3.3: DST = H("H2C-OVERSIZE-DST-" || a_very_long_DST) when it exceeds 255 bytes.
        Span<byte> shortDst = stackalloc byte[64];
        scoped ReadOnlySpan<byte> tag = dst;
        if (dst.Length > MaxDstLength)
        {
            using var oversize = IncrementalHash.CreateHash(hash);
            oversize.AppendData(OversizePrefix);
            oversize.AppendData(dst);
            tag = shortDst[..oversize.GetHashAndReset(shortDst)];
        }

        // DST_prime = DST || I2OSP(len(DST), 1)
        Span<byte> dstLength = [(byte)tag.Length];

        // b_0 = H(Z_pad || msg || I2OSP(len_in_bytes, 2) || I2OSP(0, 1) || DST_prime)
        using var h = IncrementalHash.CreateHash(hash);
        Span<byte> zeroPad = stackalloc byte[s];
        zeroPad.Clear();
        h.AppendData(zeroPad);
        h.AppendData(message);
        Span<byte> lengthAndZero = [(byte)(lengthInBytes >> 8), (byte)(lengthInBytes & 0xff), 0];
        h.AppendData(lengthAndZero);
        h.AppendData(tag);
        h.AppendData(dstLength);
        Span<byte> b0 = stackalloc byte[b];
        h.GetHashAndReset(b0);

        // b_1 = H(b_0 || I2OSP(1, 1) || DST_prime); b_i = H(strxor(b_0, b_(i-1)) || I2OSP(i, 1) || DST_prime)
        Span<byte> previous = stackalloc byte[b];
        Span<byte> mixed = stackalloc byte[b];
        try
        {
            for (var i = 1; i <= ell; i++)
            {
                if (i == 1)
                {
                    b0.CopyTo(mixed);
                }
                else
                {
                    for (var j = 0; j < b; j++)
                    {
                        mixed[j] = (byte)(b0[j] ^ previous[j]);
                    }
                }

                h.AppendData(mixed);
                Span<byte> counter = [(byte)i];
                h.AppendData(counter);
                h.AppendData(tag);
                h.AppendData(dstLength);
                h.GetHashAndReset(previous);

                var offset = (i - 1) * b;
                var take = Math.Min(b, lengthInBytes - offset);
                previous[..take].CopyTo(destination[offset..]);
            }
        }
        finally
        {
            // The message may be a password: wipe everything derived from it.
            CryptographicOperations.ZeroMemory(b0);
            CryptographicOperations.ZeroMemory(previous);
            CryptographicOperations.ZeroMemory(mixed);
        }
    }

    /// <summary>Convenience form returning a new array of <paramref name="lengthInBytes"/> bytes.</summary>
    public static byte[] Expand(HashAlgorithmName hash, ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, int lengthInBytes)
    {
        var output = new byte[lengthInBytes];
        Expand(hash, message, dst, output);
        return output;
    }

    private static (int OutputBytes, int BlockBytes) Sizes(HashAlgorithmName hash)
    {
        if (hash == HashAlgorithmName.SHA256)
        {
            return (32, 64);
        }

        if (hash == HashAlgorithmName.SHA512)
        {
            return (64, 128);
        }

        throw new ArgumentException($"expand_message_xmd is implemented for SHA-256 and SHA-512, not {hash.Name}", nameof(hash));
    }
}
