// P-256 as the group of RFC 9497 §4.3 (OPRF(P-256, SHA-256)): elements are compressed SEC1 points
// (33 bytes), scalars 32 bytes big-endian modulo the order n; HashToGroup is RFC 9380
// P256_XMD:SHA-256_SSWU_RO_, HashToScalar is hash_to_field modulo n with L = 48. Group arithmetic is
// Threshold.Curves; secret scalars live in Threshold.Secrets.SecretScalar, and products with them take
// the constant-time path (OpenSSL with blinding; see docs/constant-time.md).
using System.Security.Cryptography;
using Threshold.Curves;
using Threshold.Opaque.HashToCurve;
using Threshold.Secrets;

namespace Threshold.Opaque.Groups;

/// <summary>The NIST P-256 group, over <see cref="Curve.P256"/>.</summary>
public sealed class P256Group : IOprfGroup
{
    private P256Group()
    {
        Generator = new P256Element(this, Curve.P256.Generator);
        Identity = new P256Element(this, Curve.P256.Identity);
    }

    /// <summary>The single instance.</summary>
    public static P256Group Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "P-256";

    /// <inheritdoc />
    public int ElementLength => Point.CompressedLength;

    /// <inheritdoc />
    public int ScalarLength => Scalar.EncodedLength;

    /// <inheritdoc />
    public GroupElement Generator { get; }

    /// <inheritdoc />
    public GroupElement Identity { get; }

    /// <inheritdoc />
    public GroupElement HashToGroup(ReadOnlySpan<byte> input, ReadOnlySpan<byte> dst) =>
        new P256Element(this, HashToCurveSuite.P256Sha256.HashToCurve(input, dst));

    /// <inheritdoc />
    public GroupScalar HashToScalar(ReadOnlySpan<byte> input, ReadOnlySpan<byte> dst) =>
        new P256Scalar(this, HashToCurveSuite.P256Sha256.HashToScalar(input, dst));

    /// <inheritdoc />
    public GroupScalar RandomScalar(RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);

        // Rejection sampling (RFC 9497 §4.7.1) on 32-byte strings; n is close to 2^256, so a retry is rare.
        Span<byte> candidate = stackalloc byte[Scalar.EncodedLength];
        try
        {
            while (true)
            {
                rng.GetBytes(candidate);
                var value = new System.Numerics.BigInteger(candidate, isUnsigned: true, isBigEndian: true);
                if (!value.IsZero && value < Curve.P256.Order)
                {
                    return new P256Scalar(this, Scalar.FromValue(Curve.P256, value));
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(candidate);
        }
    }

    /// <inheritdoc />
    public GroupElement DeserializeElement(ReadOnlySpan<byte> encoded, string field)
    {
        // Only the compressed form (Ne = 33); Point.Decode performs the partial public-key validation of
        // SP 800-56A §5.6.2.3.4 (coordinates in range, on the curve, not the identity).
        if (encoded.Length != Point.CompressedLength)
        {
            throw new DecodingException(DecodingError.Malformed, field);
        }

        return new P256Element(this, Point.Decode(Curve.P256, encoded, field));
    }

    /// <inheritdoc />
    public GroupScalar DeserializeScalar(ReadOnlySpan<byte> encoded, string field) =>
        new P256Scalar(this, Scalar.Decode(Curve.P256, encoded, field));

    /// <inheritdoc />
    /// <remarks>Every scalar here is a secret (an OPRF key, a blind, a 3DH private key), so the product is
    /// taken on the constant-time path; k·O = O is answered without it, as that path refuses the identity.</remarks>
    public GroupElement Multiply(GroupScalar k, GroupElement element)
    {
        var secret = Own(k).Secret;
        var point = Own(element).Point;
        return point.IsIdentity ? Identity : new P256Element(this, point.Multiply(secret));
    }

    /// <inheritdoc />
    public GroupElement MultiplyGenerator(GroupScalar k) => new P256Element(this, Point.MultiplyGenerator(Own(k).Secret));

    /// <inheritdoc />
    public GroupElement Add(GroupElement a, GroupElement b) => new P256Element(this, Own(a).Point.Add(Own(b).Point));

    /// <inheritdoc />
    public GroupScalar Invert(GroupScalar s) => new P256Scalar(this, Own(s).Value.Invert());

    /// <inheritdoc />
    public GroupScalar Add(GroupScalar a, GroupScalar b) => new P256Scalar(this, Own(a).Value.Add(Own(b).Value));

    /// <inheritdoc />
    public GroupScalar Subtract(GroupScalar a, GroupScalar b) => new P256Scalar(this, Own(a).Value.Subtract(Own(b).Value));

    /// <inheritdoc />
    public GroupScalar Multiply(GroupScalar a, GroupScalar b) => new P256Scalar(this, Own(a).Value.Multiply(Own(b).Value));

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>The point behind an element of this group.</summary>
    internal Point ToPoint(GroupElement element) => Own(element).Point;

    private P256Element Own(GroupElement element) =>
        element is P256Element e && ReferenceEquals(e.Group, this)
            ? e
            : throw new ArgumentException("element of another group", nameof(element));

    private P256Scalar Own(GroupScalar scalar) =>
        scalar is P256Scalar s && ReferenceEquals(s.Group, this)
            ? s
            : throw new ArgumentException("scalar of another group", nameof(scalar));

    private sealed class P256Element(P256Group group, Point point) : GroupElement
    {
        public Point Point { get; } = point;

        public override IOprfGroup Group => group;

        public override bool IsIdentity => Point.IsIdentity;

        public override byte[] Serialize() => IsIdentity
            ? throw new InvalidOperationException("the identity is never serialised")
            : Point.Encode(compressed: true);
    }

    /// <summary>A P-256 scalar in a <see cref="SecretScalar"/> (which wipes its own copy).</summary>
    private sealed class P256Scalar(P256Group group, Scalar value) : GroupScalar
    {
        private readonly SecretScalar secret = new(value);

        public override IOprfGroup Group => group;

        public SecretScalar Secret
        {
            get
            {
                ThrowIfDisposed();
                return secret;
            }
        }

        public Scalar Value
        {
            get
            {
                ThrowIfDisposed();
                return secret.Value;
            }
        }

        public override bool IsZero => Value.IsZero;

        public override SecretBytes Serialize()
        {
            Span<byte> encoded = stackalloc byte[Scalar.EncodedLength];
            try
            {
                Value.WriteTo(encoded);
                return new SecretBytes(encoded);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(encoded);
            }
        }

        private protected override void Wipe() => secret.Dispose();
    }
}
