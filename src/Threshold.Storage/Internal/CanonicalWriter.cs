using System.Buffers.Binary;
using System.Text;

namespace Threshold.Storage.Internal;

/// <summary>
/// Canonical, length-prefixed encoding for everything the store authenticates (associated data,
/// inventory elements, audit hashes, the sealed state): every field is a 4-byte big-endian length
/// followed by its bytes, integers are 8-byte big-endian, and each encoding starts with a domain tag,
/// so two different field lists never encode to the same bytes.
/// </summary>
internal sealed class CanonicalWriter
{
    /// <summary>UTF-8 that refuses lone surrogates, so two different strings never share an encoding.</summary>
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly MemoryStream buffer = new();

    /// <summary>Starts an encoding with the domain tag <paramref name="tag"/> (for example "threshold.storage.seal.v1").</summary>
    public CanonicalWriter(string tag) => String(tag);

    public CanonicalWriter String(string value)
    {
        return Bytes(StrictUtf8.GetBytes(value));
    }

    public CanonicalWriter Bytes(ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
        buffer.Write(length);
        buffer.Write(value);
        return this;
    }

    public CanonicalWriter Int64(long value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        buffer.Write(bytes);
        return this;
    }

    public CanonicalWriter Byte(byte value)
    {
        buffer.WriteByte(value);
        return this;
    }

    public byte[] ToArray() => buffer.ToArray();
}

/// <summary>Reads what <see cref="CanonicalWriter"/> wrote; any shape error is reported as malformed.</summary>
internal ref struct CanonicalReader
{
    private ReadOnlySpan<byte> rest;

    public CanonicalReader(ReadOnlySpan<byte> encoding, string tag)
    {
        rest = encoding;
        if (String() != tag)
        {
            throw new FormatException("unexpected domain tag");
        }
    }

    public bool AtEnd => rest.IsEmpty;

    public string String()
    {
        try
        {
            return CanonicalWriter.StrictUtf8.GetString(Bytes());
        }
        catch (DecoderFallbackException)
        {
            // Invalid UTF-8 is a shape error like any other, not an argument error.
            throw new FormatException("invalid UTF-8 string");
        }
    }

    public ReadOnlySpan<byte> Bytes()
    {
        if (rest.Length < 4)
        {
            throw new FormatException("truncated length");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(rest);
        if (length < 0 || length > rest.Length - 4)
        {
            throw new FormatException("truncated field");
        }

        var value = rest.Slice(4, length);
        rest = rest[(4 + length)..];
        return value;
    }

    public long Int64()
    {
        if (rest.Length < 8)
        {
            throw new FormatException("truncated integer");
        }

        var value = BinaryPrimitives.ReadInt64BigEndian(rest);
        rest = rest[8..];
        return value;
    }

    public byte Byte()
    {
        if (rest.IsEmpty)
        {
            throw new FormatException("truncated byte");
        }

        var value = rest[0];
        rest = rest[1..];
        return value;
    }
}
