using System.Numerics;
using System.Security.Cryptography;
using Threshold.Arithmetic;

namespace Threshold.Curves;

/// <summary>
/// An element of Z_q for a curve's group order q: immutable, always reduced, encoded as 32 bytes
/// big-endian. Decoding refuses non-canonical values (≥ q) with <see cref="DecodingError.NonCanonical"/>.
/// </summary>
public sealed class Scalar : IEquatable<Scalar>
{
    /// <summary>Length of the fixed-width encoding.</summary>
    public const int EncodedLength = 32;

    private BigInteger value;

    private Scalar(Curve curve, BigInteger reduced)
    {
        Curve = curve;
        value = reduced;
    }

    /// <summary>The curve whose order this scalar is reduced by.</summary>
    public Curve Curve { get; }

    /// <summary>The value in [0, q).</summary>
    public BigInteger Value => value;

    /// <summary>Whether this is zero.</summary>
    public bool IsZero => value.IsZero;

    /// <summary>0 mod q.</summary>
    public static Scalar Zero(Curve curve) => new(curve, BigInteger.Zero);

    /// <summary>1 mod q.</summary>
    public static Scalar One(Curve curve) => new(curve, BigInteger.One);

    /// <summary>Reduces any integer (negative included) modulo q.</summary>
    public static Scalar FromValue(Curve curve, BigInteger value)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var r = value % curve.Order;
        return new Scalar(curve, r.Sign < 0 ? r + curve.Order : r);
    }

    /// <summary>A uniform non-zero scalar.</summary>
    public static Scalar Random(Curve curve, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(curve);
        return new Scalar(curve, Sampling.Between(rng, BigInteger.One, curve.Order - 1));
    }

    /// <summary>Decodes 32 big-endian bytes, refusing values ≥ q.</summary>
    /// <exception cref="DecodingException">Wrong length or not reduced.</exception>
    public static Scalar Decode(Curve curve, ReadOnlySpan<byte> encoded, string field = "scalar")
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (encoded.Length != EncodedLength)
        {
            throw new DecodingException(DecodingError.Malformed, field);
        }

        var v = new BigInteger(encoded, isUnsigned: true, isBigEndian: true);
        return v < curve.Order ? new Scalar(curve, v) : throw new DecodingException(DecodingError.NonCanonical, field);
    }

    /// <summary>Decodes like <see cref="Decode"/> and also refuses zero.</summary>
    public static Scalar DecodeNonZero(Curve curve, ReadOnlySpan<byte> encoded, string field = "scalar")
    {
        var s = Decode(curve, encoded, field);
        return s.IsZero ? throw new DecodingException(DecodingError.OutOfRange, field) : s;
    }

    /// <summary>The 32-byte big-endian encoding.</summary>
    public byte[] Encode()
    {
        var output = new byte[EncodedLength];
        WriteTo(output);
        return output;
    }

    /// <summary>Writes the 32-byte big-endian encoding into <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < EncodedLength)
        {
            throw new ArgumentException("destination too short", nameof(destination));
        }

        destination[..EncodedLength].Clear();
        var length = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(destination.Slice(EncodedLength - length, length), out _, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>a + b mod q.</summary>
    public Scalar Add(Scalar other) => Reduce(value + Same(other).value);

    /// <summary>a − b mod q.</summary>
    public Scalar Subtract(Scalar other) => Reduce(value - Same(other).value);

    /// <summary>a · b mod q.</summary>
    public Scalar Multiply(Scalar other) => Reduce(value * Same(other).value);

    /// <summary>−a mod q.</summary>
    public Scalar Negate() => Reduce(-value);

    /// <summary>a⁻¹ mod q (q is prime; Fermat's little theorem).</summary>
    /// <exception cref="ArithmeticException">The scalar is zero.</exception>
    public Scalar Invert() => IsZero
        ? throw new ArithmeticException("zero has no inverse")
        : new Scalar(Curve, BigInteger.ModPow(value, Curve.Order - 2, Curve.Order));

    /// <summary>Whether the value exceeds q/2 (ECDSA low-s normalisation).</summary>
    public bool IsHigh => value > Curve.Order >> 1;

    /// <summary>a + b mod q.</summary>
    public static Scalar operator +(Scalar a, Scalar b) => Checked(a).Add(b);

    /// <summary>a − b mod q.</summary>
    public static Scalar operator -(Scalar a, Scalar b) => Checked(a).Subtract(b);

    /// <summary>a · b mod q.</summary>
    public static Scalar operator *(Scalar a, Scalar b) => Checked(a).Multiply(b);

    /// <summary>−a mod q.</summary>
    public static Scalar operator -(Scalar a) => Checked(a).Negate();

    /// <summary>Value equality (same curve, same residue); constant-time in the value.</summary>
    public bool Equals(Scalar? other)
    {
        if (other is null || other.Curve != Curve)
        {
            return false;
        }

        Span<byte> a = stackalloc byte[EncodedLength];
        Span<byte> b = stackalloc byte[EncodedLength];
        WriteTo(a);
        other.WriteTo(b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Scalar);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Curve.Name, value);

    /// <summary>Hex of the encoding, for values known to be public (challenges, signature parts).</summary>
    public string ToHex() => Convert.ToHexStringLower(Encode());

    /// <summary>Names the curve only: a scalar may be secret, so its value is never printed implicitly.</summary>
    public override string ToString() => $"Scalar({Curve.Name})";

    /// <summary>A scalar from a 32-byte big-endian encoding the caller knows to be below q (no check).</summary>
    internal static Scalar FromCanonical(Curve curve, ReadOnlySpan<byte> encoded) =>
        new(curve, new BigInteger(encoded, isUnsigned: true, isBigEndian: true));

    /// <summary>A copy with limbs of its own (for secret holders, which wipe their copy).</summary>
    internal Scalar Copy() => new(Curve, Secrets.BigIntegerMemory.Copy(value));

    /// <summary>Wipes the limbs; only for the owner of a secret (see <see cref="Secrets.SecretScalar"/>).</summary>
    internal void Wipe() => Secrets.BigIntegerMemory.Clear(ref value);

    private Scalar Reduce(BigInteger v) => FromValue(Curve, v);

    private Scalar Same(Scalar other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Curve == Curve ? other : throw new ArgumentException("scalars of different curves", nameof(other));
    }

    private static Scalar Checked(Scalar a) => a ?? throw new ArgumentNullException(nameof(a));
}
