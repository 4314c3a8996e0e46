using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Threshold.Curves;

namespace Threshold.Transcripts;

/// <summary>The hash a transcript absorbs into.</summary>
public enum TranscriptHash
{
    /// <summary>SHA-256: commitments, session ids, curve-sized challenges.</summary>
    Sha256,
    /// <summary>SHA-512: wide challenges (big-integer ranges, many bits).</summary>
    Sha512,
}

/// <summary>
/// The one canonical encoder behind every hash that matters: commitments, Fiat–Shamir challenges and
/// session ids. A transcript starts with a domain tag (for example <c>threshold.cggmp.presign.r1.enc</c>)
/// and absorbs typed, labelled, length-prefixed fields, so two different sequences of fields can never
/// encode to the same bytes. Use one transcript inside one function; do not pass it around.
/// </summary>
/// <remarks>
/// Field encoding: <c>type (1 byte) ‖ len(label) (2 bytes, BE) ‖ label (UTF-8) ‖ len(value) (4 bytes, BE) ‖ value</c>.
/// Integers are a sign byte (0 or 1) followed by the big-endian magnitude with no leading zeros;
/// scalars are 32 bytes big-endian; points are SEC1 compressed after the curve's name.
/// </remarks>
public sealed class Transcript : IDisposable
{
    private const string Version = "threshold.transcript.v1";

    private readonly IncrementalHash hash;
    private readonly HashAlgorithmName algorithm;

    private Transcript(string domain, TranscriptHash function)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        algorithm = function == TranscriptHash.Sha512 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
        hash = IncrementalHash.CreateHash(algorithm);
        AppendField(FieldType.Domain, Version, Encoding.UTF8.GetBytes(domain));
    }

    private enum FieldType : byte
    {
        Domain = 0,
        Bytes = 1,
        Integer = 2,
        Scalar = 3,
        Point = 4,
        UInt64 = 5,
        Text = 6,
    }

    /// <summary>Starts a transcript under the domain tag <paramref name="domain"/>.</summary>
    public static Transcript Start(string domain, TranscriptHash function = TranscriptHash.Sha256) => new(domain, function);

    /// <summary>Absorbs raw bytes (for example a session id).</summary>
    public Transcript Append(string label, ReadOnlySpan<byte> value) => AppendField(FieldType.Bytes, label, value);

    /// <summary>Absorbs a signed big integer.</summary>
    public Transcript Append(string label, BigInteger value)
    {
        var magnitude = BigInteger.Abs(value);
        var encoded = new byte[1 + magnitude.GetByteCount(isUnsigned: true)];
        encoded[0] = value.Sign < 0 ? (byte)1 : (byte)0;
        magnitude.TryWriteBytes(encoded.AsSpan(1), out _, isUnsigned: true, isBigEndian: true);
        return AppendField(FieldType.Integer, label, value.IsZero ? encoded.AsSpan(0, 1) : encoded);
    }

    /// <summary>Absorbs a list of big integers, with its count.</summary>
    public Transcript Append(string label, IReadOnlyList<BigInteger> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Append(label, (ulong)values.Count);
        foreach (var value in values)
        {
            Append(label, value);
        }

        return this;
    }

    /// <summary>Absorbs a scalar (with its curve).</summary>
    public Transcript Append(string label, Scalar value)
    {
        ArgumentNullException.ThrowIfNull(value);
        Span<byte> encoded = stackalloc byte[Scalar.EncodedLength];
        value.WriteTo(encoded);
        AppendField(FieldType.Text, label, Encoding.UTF8.GetBytes(value.Curve.Name));
        return AppendField(FieldType.Scalar, label, encoded);
    }

    /// <summary>Absorbs a curve point (with its curve), identity included.</summary>
    public Transcript Append(string label, Point value)
    {
        ArgumentNullException.ThrowIfNull(value);
        AppendField(FieldType.Text, label, Encoding.UTF8.GetBytes(value.Curve.Name));
        return AppendField(FieldType.Point, label, value.IsIdentity ? [] : value.Encode());
    }

    /// <summary>Absorbs a list of points, with its count.</summary>
    public Transcript Append(string label, IReadOnlyList<Point> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Append(label, (ulong)values.Count);
        foreach (var value in values)
        {
            Append(label, value);
        }

        return this;
    }

    /// <summary>Absorbs an unsigned integer (an index, a round number, a count).</summary>
    public Transcript Append(string label, ulong value)
    {
        Span<byte> encoded = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(encoded, value);
        return AppendField(FieldType.UInt64, label, encoded);
    }

    /// <summary>Absorbs a string (UTF-8).</summary>
    public Transcript Append(string label, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return AppendField(FieldType.Text, label, Encoding.UTF8.GetBytes(value));
    }

    /// <summary>The digest of everything absorbed so far; the transcript stays usable.</summary>
    public byte[] Digest() => hash.GetCurrentHash();

    /// <summary>
    /// A deterministic stream of challenge values derived from everything absorbed so far; the
    /// transcript stays usable (later fields give a different stream).
    /// </summary>
    public ChallengeStream Challenge() => new(hash.GetCurrentHash(), algorithm);

    /// <inheritdoc />
    public void Dispose() => hash.Dispose();

    private Transcript AppendField(FieldType type, string label, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(label);
        var labelBytes = Encoding.UTF8.GetBytes(label);
        if (labelBytes.Length > ushort.MaxValue)
        {
            throw new ArgumentException("label too long", nameof(label));
        }

        Span<byte> header = stackalloc byte[3];
        header[0] = (byte)type;
        BinaryPrimitives.WriteUInt16BigEndian(header[1..], (ushort)labelBytes.Length);
        hash.AppendData(header);
        hash.AppendData(labelBytes);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, checked((uint)value.Length));
        hash.AppendData(length);
        hash.AppendData(value);
        return this;
    }
}
