using System.Numerics;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Curves;

namespace Threshold.Proofs.Encoding;

/// <summary>
/// Canonical protobuf encodings of the values proofs carry, and their strict decoders. Every decoder
/// checks shape, length and range (and group membership where the value is a group element) before
/// any arithmetic touches the value, and fails with a typed <see cref="DecodingException"/>.
/// </summary>
/// <remarks>
/// Signed integers: one sign byte (0x00 for ≥ 0, 0x01 for &lt; 0) then the big-endian magnitude with
/// no leading zero byte; zero is the single byte 0x00. Unsigned integers: the big-endian magnitude
/// with no leading zero byte; zero is the empty string. Points: SEC1 compressed. Scalars: 32 bytes.
/// </remarks>
public static class WireCodec
{
    /// <summary>Encodes a signed integer.</summary>
    public static ByteString Signed(BigInteger value)
    {
        var magnitude = BigInteger.Abs(value);
        var bytes = new byte[1 + (value.IsZero ? 0 : magnitude.GetByteCount(isUnsigned: true))];
        bytes[0] = value.Sign < 0 ? (byte)1 : (byte)0;
        if (!value.IsZero)
        {
            magnitude.TryWriteBytes(bytes.AsSpan(1), out _, isUnsigned: true, isBigEndian: true);
        }

        return ByteString.CopyFrom(bytes);
    }

    /// <summary>Decodes a signed integer whose magnitude has at most <paramref name="maxBits"/> bits.</summary>
    public static BigInteger DecodeSigned(ByteString encoded, int maxBits, string field)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var span = encoded.Span;
        if (span.Length == 0 || span[0] > 1 || (span.Length > 1 && span[1] == 0) || (span.Length == 1 && span[0] == 1))
        {
            throw new DecodingException(DecodingError.Malformed, field);
        }

        if (span.Length - 1 > (maxBits + 7) / 8)
        {
            throw new DecodingException(DecodingError.OutOfRange, field);
        }

        var magnitude = new BigInteger(span[1..], isUnsigned: true, isBigEndian: true);
        if (magnitude.GetBitLength() > maxBits)
        {
            throw new DecodingException(DecodingError.OutOfRange, field);
        }

        return span[0] == 1 ? -magnitude : magnitude;
    }

    /// <summary>Encodes a non-negative integer.</summary>
    public static ByteString Unsigned(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "must not be negative");
        }

        return value.IsZero ? ByteString.Empty : ByteString.CopyFrom(value.ToByteArray(isUnsigned: true, isBigEndian: true));
    }

    /// <summary>Decodes a non-negative integer below <paramref name="bound"/>.</summary>
    public static BigInteger DecodeUnsigned(ByteString encoded, BigInteger bound, string field)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var span = encoded.Span;
        if (span.Length > 0 && span[0] == 0)
        {
            throw new DecodingException(DecodingError.Malformed, field);
        }

        if (span.Length > bound.GetByteCount(isUnsigned: true))
        {
            throw new DecodingException(DecodingError.OutOfRange, field);
        }

        var value = new BigInteger(span, isUnsigned: true, isBigEndian: true);
        return value < bound ? value : throw new DecodingException(DecodingError.OutOfRange, field);
    }

    /// <summary>Decodes an element of Z*_N: in [1, N) and coprime to N.</summary>
    public static BigInteger DecodeUnit(ByteString encoded, BigInteger modulus, IArithmetic arithmetic, string field)
    {
        ArgumentNullException.ThrowIfNull(arithmetic);
        var value = DecodeUnsigned(encoded, modulus, field);
        if (value.IsZero)
        {
            throw new DecodingException(DecodingError.OutOfRange, field);
        }

        return arithmetic.IsCoprime(value, modulus) ? value : throw new DecodingException(DecodingError.NotCoprime, field);
    }

    /// <summary>Encodes a point (SEC1 compressed).</summary>
    public static ByteString Point(Point point)
    {
        ArgumentNullException.ThrowIfNull(point);
        return ByteString.CopyFrom(point.Encode());
    }

    /// <summary>Decodes a point: on the curve, not the identity.</summary>
    public static Point DecodePoint(Curve curve, ByteString encoded, string field)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return Curves.Point.Decode(curve, encoded.Span, field);
    }

    /// <summary>Encodes a scalar (32 bytes).</summary>
    public static ByteString Scalar(Scalar scalar)
    {
        ArgumentNullException.ThrowIfNull(scalar);
        return ByteString.CopyFrom(scalar.Encode());
    }

    /// <summary>Decodes a canonical scalar.</summary>
    public static Scalar DecodeScalar(Curve curve, ByteString encoded, string field)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return Curves.Scalar.Decode(curve, encoded.Span, field);
    }

    /// <summary>Parses a protobuf message, mapping parser failures to <see cref="DecodingError.Malformed"/>.</summary>
    public static T Parse<T>(MessageParser<T> parser, ReadOnlySpan<byte> encoded, string field)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(parser);
        try
        {
            return parser.ParseFrom(encoded);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new DecodingException(DecodingError.Malformed, field);
        }
    }
}
