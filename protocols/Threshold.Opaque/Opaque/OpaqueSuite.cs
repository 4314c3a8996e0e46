// RFC 9807 §7 configurations: the OPRF suite with its group for 3DH, HKDF and HMAC over the suite's
// hash. Sizes (§2): Nn = Nseed = 32; Nh = Nx = Nm = hash length; Npk = Noe = element length;
// Nsk = Nok = scalar length; Ne = Nn + Nm (the envelope).
using System.Security.Cryptography;
using Threshold.Opaque.Groups;
using Threshold.Opaque.Oprf;

namespace Threshold.Opaque;

/// <summary>
/// One of the two OPAQUE-3DH suites implemented: ristretto255-SHA512 (HKDF-SHA512, HMAC-SHA512) and
/// P256-SHA256 (HKDF-SHA256, HMAC-SHA256), each with the OPRF group as the AKE group (RFC 9807 §7).
/// </summary>
public sealed class OpaqueSuite
{
    private OpaqueSuite(OprfSuite oprf)
    {
        Oprf = oprf;
        HashLength = oprf.HashLength;
    }

    /// <summary>ristretto255-SHA512 with HKDF-SHA-512, HMAC-SHA-512, SHA-512, group ristretto255.</summary>
    public static OpaqueSuite Ristretto255Sha512 { get; } = new(OprfSuite.Ristretto255Sha512);

    /// <summary>P256-SHA256 with HKDF-SHA-256, HMAC-SHA-256, SHA-256, group P-256.</summary>
    public static OpaqueSuite P256Sha256 { get; } = new(OprfSuite.P256Sha256);

    /// <summary>Both suites.</summary>
    public static IReadOnlyList<OpaqueSuite> All { get; } = [Ristretto255Sha512, P256Sha256];

    /// <summary>The OPRF suite identifier, which names the OPAQUE suite too.</summary>
    public string Name => Oprf.Identifier;

    /// <summary>A short name for reports: "ristretto255" or "p256".</summary>
    public string ShortName => ReferenceEquals(this, P256Sha256) ? "p256" : "ristretto255";

    /// <summary>The OPRF (modeOPRF).</summary>
    public OprfSuite Oprf { get; }

    /// <summary>The group of the OPRF and of 3DH.</summary>
    public IOprfGroup Group => Oprf.Group;

    /// <summary>Nn: nonce length.</summary>
    public int NonceLength => 32;

    /// <summary>Nseed: seed length.</summary>
    public int SeedLength => 32;

    /// <summary>Nh = Nx = Nm: hash, KDF extract and MAC output length.</summary>
    public int HashLength { get; }

    /// <summary>Npk = Noe: length of a serialised public key or OPRF element.</summary>
    public int PublicKeyLength => Group.ElementLength;

    /// <summary>Nsk = Nok: length of a serialised private key or OPRF key.</summary>
    public int PrivateKeyLength => Group.ScalarLength;

    /// <summary>Ne = Nn + Nm: envelope length.</summary>
    public int EnvelopeLength => NonceLength + HashLength;

    /// <summary>The suite named <paramref name="name"/> ("ristretto255-SHA512", "P256-SHA256", or a short name).</summary>
    public static OpaqueSuite FromName(string name) => name?.Trim().ToUpperInvariant() switch
    {
        "RISTRETTO255-SHA512" or "RISTRETTO255" => Ristretto255Sha512,
        "P256-SHA256" or "P256" or "P-256" => P256Sha256,
        _ => throw new ArgumentException($"unsupported OPAQUE suite '{name}'", nameof(name)),
    };

    /// <inheritdoc />
    public override string ToString() => Name;

    internal HashAlgorithmName HashAlgorithm => Oprf.Hash;

    /// <summary>Hash(msg).</summary>
    internal byte[] Hash(ReadOnlySpan<byte> message) => Oprf.HashData(message);

    /// <summary>Extract(salt, ikm) (HKDF-Extract, RFC 5869 §2.2).</summary>
    internal SecretBytes Extract(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> prk = stackalloc byte[HashLength];
        try
        {
            HKDF.Extract(HashAlgorithm, inputKeyMaterial, salt, prk);
            return new SecretBytes(prk);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    /// <summary>Expand(prk, info, L) (HKDF-Expand, RFC 5869 §2.3).</summary>
    internal SecretBytes Expand(ReadOnlySpan<byte> pseudorandomKey, ReadOnlySpan<byte> info, int length)
    {
        var output = SecretBytes.Allocate(length);
        HKDF.Expand(HashAlgorithm, pseudorandomKey, output.Writable, info);
        return output;
    }

    /// <summary>MAC(key, msg) (HMAC, RFC 2104).</summary>
    internal byte[] Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message) =>
        HashAlgorithm == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(key, message) : HMACSHA256.HashData(key, message);

    /// <summary>DeriveDiffieHellmanKeyPair(seed) (§6.4.1): DeriveKeyPair(seed, "OPAQUE-DeriveDiffieHellmanKeyPair").</summary>
    internal OprfKeyPair DeriveDiffieHellmanKeyPair(ReadOnlySpan<byte> seed) =>
        Oprf.DeriveKeyPair(seed, "OPAQUE-DeriveDiffieHellmanKeyPair"u8);

    /// <summary>
    /// The per-credential OPRF key (§5.2.2, §6.3.2.2): seed = Expand(oprf_seed, credential_identifier ||
    /// "OprfKey", Nok); (oprf_key, _) = DeriveKeyPair(seed, "OPAQUE-DeriveKeyPair").
    /// </summary>
    internal OprfKeyPair DeriveOprfKey(ReadOnlySpan<byte> oprfSeed, ReadOnlySpan<byte> credentialIdentifier)
    {
        byte[] info = [.. credentialIdentifier, .. "OprfKey"u8];
        using var seed = Expand(oprfSeed, info, PrivateKeyLength);
        return Oprf.DeriveKeyPair(seed.Span, "OPAQUE-DeriveKeyPair"u8);
    }
}
