// RFC 9380 §3 hash_to_curve (random-oracle encoding) for P256_XMD:SHA-256_SSWU_RO_ (§8.2) and
// secp256k1_XMD:SHA-256_SSWU_RO_ (§8.7), plus hash_to_field modulo the group order, which
// RFC 9497 §4.3 uses as HashToScalar for P256-SHA256.
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Threshold.Curves;

namespace Threshold.Opaque.HashToCurve;

/// <summary>
/// A hash-to-curve suite of RFC 9380 for one of our curves: hash_to_field (two elements, L = 48), the
/// Simplified SWU map (through a 3-isogeny for secp256k1), point addition; both curves have h_eff = 1.
/// </summary>
public sealed class HashToCurveSuite
{
    private readonly PrimeField256 baseField;
    private readonly PrimeField256 scalarField;
    private readonly SimplifiedSwu swu;
    private readonly Secp256k1Isogeny? isogeny;

    private HashToCurveSuite(string name, Curve curve, BigInteger p, BigInteger a, BigInteger b, BigInteger z, bool viaIsogeny)
    {
        Name = name;
        Curve = curve;
        baseField = new PrimeField256(p);
        scalarField = new PrimeField256(curve.Order);
        swu = new SimplifiedSwu(baseField, a, b, z);
        isogeny = viaIsogeny ? new Secp256k1Isogeny(baseField) : null;
    }

    /// <summary>P256_XMD:SHA-256_SSWU_RO_ (RFC 9380 §8.2): A = −3, B = b of P-256, Z = −10.</summary>
    public static HashToCurveSuite P256Sha256 { get; } = new(
        "P256_XMD:SHA-256_SSWU_RO_",
        Curve.P256,
        Hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
        -3,
        Hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
        -10,
        viaIsogeny: false);

    /// <summary>
    /// secp256k1_XMD:SHA-256_SSWU_RO_ (RFC 9380 §8.7): SSWU on the isogenous curve E' (A', B' = 1771,
    /// Z = −11) followed by the 3-isogeny of Appendix E.1.
    /// </summary>
    public static HashToCurveSuite Secp256k1Sha256 { get; } = new(
        "secp256k1_XMD:SHA-256_SSWU_RO_",
        Curve.Secp256k1,
        Hex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"),
        Hex("3f8731abdd661adca08a5558f0f5d272e953d363cb6f0e5d405447c01a444533"),
        1771,
        -11,
        viaIsogeny: true);

    /// <summary>The suite identifier, for example "P256_XMD:SHA-256_SSWU_RO_".</summary>
    public string Name { get; }

    /// <summary>The target curve.</summary>
    public Curve Curve { get; }

    /// <summary>
    /// hash_to_curve(msg) (RFC 9380 §3): u = hash_to_field(msg, 2); Q0 = map_to_curve(u[0]);
    /// Q1 = map_to_curve(u[1]); P = Q0 + Q1. The result is the identity with negligible probability only.
    /// </summary>
    /// <param name="message">msg (may be secret, such as a password: the map runs in constant time).</param>
    /// <param name="dst">The domain separation tag.</param>
    public Point HashToCurve(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst)
    {
        var u = HashToField.Hash(baseField, HashAlgorithmName.SHA256, message, dst, 2);
        var q0 = MapToCurve(u[0]);
        var q1 = MapToCurve(u[1]);
        return q0.Add(q1);
    }

    /// <summary>
    /// hash_to_field(msg, 1) with the group order as modulus (L = 48, expand_message_xmd with SHA-256):
    /// the HashToScalar of RFC 9497 §4.3 (P256-SHA256).
    /// </summary>
    public Scalar HashToScalar(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst)
    {
        var element = HashToField.Hash(scalarField, HashAlgorithmName.SHA256, message, dst, 1)[0];
        Span<byte> encoded = stackalloc byte[32];
        try
        {
            scalarField.ToBigEndian(element, encoded);
            return Scalar.Decode(Curve, encoded);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(encoded);
        }
    }

    /// <summary>hash_to_field(msg, count) as integers, for the RFC 9380 vectors (u values).</summary>
    internal BigInteger[] HashToFieldIntegers(ReadOnlySpan<byte> message, ReadOnlySpan<byte> dst, int count) =>
        [.. HashToField.Hash(baseField, HashAlgorithmName.SHA256, message, dst, count).Select(baseField.ToInteger)];

    /// <summary>map_to_curve(u) for an integer u, for the RFC 9380 vectors (Q0, Q1).</summary>
    internal Point MapToCurve(BigInteger u) => MapToCurve(baseField.FromInteger(u));

    private Point MapToCurve(FieldElement u)
    {
        var (x, y) = swu.Map(u);
        if (isogeny is not null)
        {
            (x, y) = isogeny.Map(x, y);
        }

        Span<byte> uncompressed = stackalloc byte[65];
        uncompressed[0] = 0x04;
        baseField.ToBigEndian(x, uncompressed[1..33]);
        baseField.ToBigEndian(y, uncompressed[33..65]);

        // Point.Decode re-checks the curve equation: a wrong map cannot yield an invalid point silently.
        return Point.Decode(Curve, uncompressed, "map_to_curve");
    }

    private static BigInteger Hex(string hex) => BigInteger.Parse("0" + hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
