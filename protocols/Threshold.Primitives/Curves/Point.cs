using System.Numerics;
using System.Security.Cryptography;
using Threshold.Secrets;
using BcPoint = Org.BouncyCastle.Math.EC.ECPoint;

namespace Threshold.Curves;

/// <summary>
/// A point of a curve's group: immutable, held in affine form. Encoded in SEC1 (SEC 1 v2 §2.3.3):
/// compressed (33 bytes) by default, uncompressed (65 bytes) on request. <see cref="Decode"/> is the
/// door for untrusted bytes: it refuses other lengths and prefixes, off-curve coordinates and the identity.
/// </summary>
public sealed class Point : IEquatable<Point>
{
    /// <summary>Length of the compressed SEC1 encoding.</summary>
    public const int CompressedLength = 33;

    /// <summary>Length of the uncompressed SEC1 encoding.</summary>
    public const int UncompressedLength = 65;

    private readonly BcPoint point;

    internal Point(Curve curve, BcPoint point)
    {
        Curve = curve;
        this.point = point.IsInfinity ? point : point.Normalize();
    }

    /// <summary>The curve this point lies on.</summary>
    public Curve Curve { get; }

    /// <summary>Whether this is the identity element.</summary>
    public bool IsIdentity => point.IsInfinity;

    /// <summary>The affine x-coordinate (ECDSA's r is this value mod q).</summary>
    /// <exception cref="InvalidOperationException">The point is the identity.</exception>
    public BigInteger X => Curve.Convert(Affine().AffineXCoord.ToBigInteger());

    /// <summary>Whether the affine y-coordinate is odd (the ECDSA recovery bit).</summary>
    public bool IsYOdd => Affine().AffineYCoord.TestBitZero();

    /// <summary>Decodes a SEC1 point (compressed or uncompressed) from untrusted input.</summary>
    /// <exception cref="DecodingException">Malformed, not on the curve, or the identity.</exception>
    public static Point Decode(Curve curve, ReadOnlySpan<byte> encoded, string field = "point")
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (encoded.Length == 1 && encoded[0] == 0)
        {
            throw new DecodingException(DecodingError.Identity, field);
        }

        var shapeOk = (encoded.Length == CompressedLength && encoded[0] is 0x02 or 0x03)
            || (encoded.Length == UncompressedLength && encoded[0] == 0x04);
        if (!shapeOk)
        {
            throw new DecodingException(DecodingError.Malformed, field);
        }

        BcPoint decoded;
        try
        {
            // BouncyCastle checks coordinates < p and the curve equation (uncompressed) or the existence
            // of a square root (compressed); both failures surface as ArgumentException.
            decoded = curve.Parameters.Curve.DecodePoint(encoded.ToArray());
        }
        catch (ArgumentException)
        {
            throw new DecodingException(DecodingError.NotOnCurve, field);
        }

        if (decoded.IsInfinity)
        {
            throw new DecodingException(DecodingError.Identity, field);
        }

        return decoded.IsValid() ? new Point(curve, decoded) : throw new DecodingException(DecodingError.NotOnCurve, field);
    }

    /// <summary>
    /// k·G for a public k (a challenge, a verification equation), on BouncyCastle's fast, variable-time
    /// path. A secret goes through <see cref="MultiplyGenerator(SecretScalar)"/>.
    /// </summary>
    public static Point MultiplyGenerator(Scalar k)
    {
        ArgumentNullException.ThrowIfNull(k);
        return new Point(k.Curve, k.Curve.MultiplyGenerator(Curve.Convert(k.Value)));
    }

    /// <summary>
    /// k·G for a secret k, in time independent of k (NBitcoin.Secp256k1 on secp256k1, OpenSSL on P-256;
    /// see <see cref="Curve"/>).
    /// </summary>
    /// <exception cref="ObjectDisposedException"><paramref name="k"/> is disposed.</exception>
    public static Point MultiplyGenerator(SecretScalar k)
    {
        ArgumentNullException.ThrowIfNull(k);
        var curve = k.Curve;
        Span<byte> scalar = stackalloc byte[Scalar.EncodedLength];
        Span<byte> product = stackalloc byte[UncompressedLength];
        try
        {
            k.Value.WriteTo(scalar);
            return curve.SecretMultiplier.MultiplyGenerator(scalar, product) ? FromUncompressed(curve, product) : curve.Identity;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    /// <summary>SEC1 encoding (compressed unless asked otherwise).</summary>
    /// <exception cref="InvalidOperationException">The identity has no SEC1 encoding used here.</exception>
    public byte[] Encode(bool compressed = true) => Affine().GetEncoded(compressed);

    /// <summary>P + Q.</summary>
    public Point Add(Point other) => new(Curve, point.Add(Same(other).point));

    /// <summary>P − Q.</summary>
    public Point Subtract(Point other) => new(Curve, point.Subtract(Same(other).point));

    /// <summary>−P.</summary>
    public Point Negate() => new(Curve, point.Negate());

    /// <summary>
    /// k·P for a public k, on BouncyCastle's fast, variable-time path. A secret goes through
    /// <see cref="Multiply(SecretScalar)"/>.
    /// </summary>
    public Point Multiply(Scalar k)
    {
        ArgumentNullException.ThrowIfNull(k);
        if (k.Curve != Curve)
        {
            throw new ArgumentException("scalar of a different curve", nameof(k));
        }

        return new Point(Curve, point.Multiply(Curve.Convert(k.Value)));
    }

    /// <summary>k·P for a secret k, in time independent of k (see <see cref="MultiplyGenerator(SecretScalar)"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="k"/> belongs to another curve.</exception>
    /// <exception cref="DecodingException">This point is the identity (<see cref="DecodingError.Identity"/>).</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="k"/> is disposed.</exception>
    public Point Multiply(SecretScalar k)
    {
        ArgumentNullException.ThrowIfNull(k);
        if (k.Curve != Curve)
        {
            throw new ArgumentException("scalar of a different curve", nameof(k));
        }

        if (IsIdentity)
        {
            throw new DecodingException(DecodingError.Identity, "point");
        }

        Span<byte> scalar = stackalloc byte[Scalar.EncodedLength];
        Span<byte> product = stackalloc byte[UncompressedLength];
        try
        {
            k.Value.WriteTo(scalar);
            return Curve.SecretMultiplier.Multiply(Encode(compressed: false), scalar, product) ? FromUncompressed(Curve, product) : Curve.Identity;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    /// <summary>P + Q.</summary>
    public static Point operator +(Point a, Point b) => (a ?? throw new ArgumentNullException(nameof(a))).Add(b);

    /// <summary>P − Q.</summary>
    public static Point operator -(Point a, Point b) => (a ?? throw new ArgumentNullException(nameof(a))).Subtract(b);

    /// <summary>k·P.</summary>
    public static Point operator *(Scalar k, Point p) => (p ?? throw new ArgumentNullException(nameof(p))).Multiply(k);

    /// <inheritdoc />
    public bool Equals(Point? other) => other is not null && other.Curve == Curve && other.point.Equals(point);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Point);

    /// <inheritdoc />
    public override int GetHashCode() => IsIdentity ? 0 : HashCode.Combine(Curve.Name, point.GetHashCode());

    /// <summary>Hex of the compressed encoding, or "identity".</summary>
    public override string ToString() => IsIdentity ? "identity" : Convert.ToHexStringLower(Encode());

    /// <summary>A point from a trusted library's uncompressed output (already on the curve).</summary>
    private static Point FromUncompressed(Curve curve, ReadOnlySpan<byte> encoded)
    {
        var x = new Org.BouncyCastle.Math.BigInteger(1, encoded.Slice(1, 32).ToArray());
        var y = new Org.BouncyCastle.Math.BigInteger(1, encoded.Slice(33, 32).ToArray());
        return new Point(curve, curve.Parameters.Curve.CreatePoint(x, y));
    }

    private BcPoint Affine() => IsIdentity ? throw new InvalidOperationException("the identity has no affine coordinates") : point;

    private Point Same(Point other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return other.Curve == Curve ? other : throw new ArgumentException("points of different curves", nameof(other));
    }
}
