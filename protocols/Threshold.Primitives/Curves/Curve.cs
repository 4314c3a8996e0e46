using System.Numerics;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math.EC.Multiplier;
using Threshold.Transcripts;
using BcPoint = Org.BouncyCastle.Math.EC.ECPoint;

namespace Threshold.Curves;

/// <summary>
/// A prime-order elliptic curve group over BouncyCastle's optimised field arithmetic: secp256k1
/// (SEC 2 §2.4.1; Bitcoin, Ethereum) and P-256 (FIPS 186-5, SEC 2 §2.4.2; WebCrypto). Both have
/// cofactor 1 and 256-bit order, so every non-identity point generates the group.
/// </summary>
public sealed class Curve
{
    private readonly FixedPointCombMultiplier baseMultiplier = new();

    private Curve(string name, string bouncyCastleName, ISecretMultiplier secretMultiplier)
    {
        Name = name;
        SecretMultiplier = secretMultiplier;
        Parameters = CustomNamedCurves.GetByName(bouncyCastleName)
            ?? throw new InvalidOperationException($"BouncyCastle lacks {bouncyCastleName}");
        Order = Convert(Parameters.N);
        ScalarField = new ScalarField(Order);
        Identity = new Point(this, Parameters.Curve.Infinity);
        Generator = new Point(this, Parameters.G.Normalize());
    }

    /// <summary>secp256k1 (y² = x³ + 7 over the 256-bit prime field).</summary>
    public static Curve Secp256k1 { get; } = new("secp256k1", "secp256k1", new Secp256k1SecretMultiplier());

    /// <summary>NIST P-256 (secp256r1).</summary>
    public static Curve P256 { get; } = new("P-256", "P-256", new P256SecretMultiplier());

    /// <summary>Both supported curves.</summary>
    public static IReadOnlyList<Curve> All { get; } = [Secp256k1, P256];

    /// <summary>Canonical name: "secp256k1" or "P-256".</summary>
    public string Name { get; }

    /// <summary>The prime order q of the group.</summary>
    public BigInteger Order { get; }

    /// <summary>The standard generator G.</summary>
    public Point Generator { get; }

    /// <summary>The identity element (point at infinity).</summary>
    public Point Identity { get; }

    internal X9ECParameters Parameters { get; }

    /// <summary>
    /// The constant-time multiplier for secret scalars (see <see cref="Point.Multiply(Secrets.SecretScalar)"/>);
    /// BouncyCastle's multipliers serve public scalars only.
    /// </summary>
    internal ISecretMultiplier SecretMultiplier { get; }

    /// <summary>Constant-time arithmetic modulo <see cref="Order"/> for secret scalars (see <see cref="Secrets.SecretScalar.Multiply(Scalar)"/>).</summary>
    internal ScalarField ScalarField { get; }

    /// <summary>The curve called <paramref name="name"/> (accepts "secp256k1", "P-256", "p256", "secp256r1").</summary>
    public static Curve FromName(string name) => name?.Trim().ToUpperInvariant() switch
    {
        "SECP256K1" => Secp256k1,
        "P-256" or "P256" or "SECP256R1" or "PRIME256V1" => P256,
        _ => throw new ArgumentException($"unsupported curve '{name}' (expected secp256k1 or P-256)", nameof(name)),
    };

    /// <summary>
    /// Hashes <paramref name="input"/> to a scalar under the domain tag <paramref name="domain"/>,
    /// through the transcript encoder (uniform modulo q, by rejection sampling).
    /// </summary>
    public Scalar HashToScalar(string domain, ReadOnlySpan<byte> input)
    {
        using var transcript = Transcript.Start(domain).Append("curve", Name).Append("input", input);
        return transcript.Challenge().NextScalar(this);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>k·G with BouncyCastle's fixed-point comb, for public k (its table lookups depend on k).</summary>
    internal BcPoint MultiplyGenerator(Org.BouncyCastle.Math.BigInteger k) => baseMultiplier.Multiply(Parameters.G, k);

    internal static BigInteger Convert(Org.BouncyCastle.Math.BigInteger value) =>
        new(value.ToByteArrayUnsigned(), isUnsigned: true, isBigEndian: true);

    internal static Org.BouncyCastle.Math.BigInteger Convert(BigInteger value) =>
        new(1, value.ToByteArray(isUnsigned: true, isBigEndian: true));
}
