// RFC 9497 §3.1 (modes and context string), §3.2.1 (DeriveKeyPair), §4.1 and §4.3 (the two suites used
// here: ristretto255-SHA512 and P256-SHA256).
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Oprf;

/// <summary>The protocol variant of RFC 9497 §3.1; the value is the one-byte mode identifier.</summary>
public enum OprfMode : byte
{
    /// <summary>modeOPRF (0x00): the base OPRF that OPAQUE uses.</summary>
    Oprf = 0,

    /// <summary>modeVOPRF (0x01): the server also proves, with a DLEQ proof, that it used its committed key.</summary>
    Voprf = 1,
}

/// <summary>
/// An OPRF ciphersuite in one mode (RFC 9497 §4): the group, the hash, and the context string
/// <c>"OPRFV1-" || I2OSP(mode, 1) || "-" || identifier</c> that separates every hash it makes.
/// </summary>
public sealed class OprfSuite
{
    private readonly byte[] contextString;
    private readonly byte[] hashToGroupDst;
    private readonly byte[] hashToScalarDst;
    private readonly byte[] deriveKeyPairDst;

    private OprfSuite(string identifier, OprfMode mode, IOprfGroup group, HashAlgorithmName hash, int hashLength)
    {
        Identifier = identifier;
        Mode = mode;
        Group = group;
        Hash = hash;
        HashLength = hashLength;

        // CreateContextString(mode, identifier) (§3.1)
        contextString = [.. "OPRFV1-"u8, (byte)mode, (byte)'-', .. Encoding.ASCII.GetBytes(identifier)];
        hashToGroupDst = [.. "HashToGroup-"u8, .. contextString];
        hashToScalarDst = [.. "HashToScalar-"u8, .. contextString];
        deriveKeyPairDst = [.. "DeriveKeyPair"u8, .. contextString];
    }

    /// <summary>ristretto255-SHA512 in modeOPRF (§4.1).</summary>
    public static OprfSuite Ristretto255Sha512 { get; } = new("ristretto255-SHA512", OprfMode.Oprf, Ristretto255Group.Instance, HashAlgorithmName.SHA512, 64);

    /// <summary>P256-SHA256 in modeOPRF (§4.3).</summary>
    public static OprfSuite P256Sha256 { get; } = new("P256-SHA256", OprfMode.Oprf, P256Group.Instance, HashAlgorithmName.SHA256, 32);

    /// <summary>The suite identifier, "ristretto255-SHA512" or "P256-SHA256".</summary>
    public string Identifier { get; }

    /// <summary>The mode this instance computes in.</summary>
    public OprfMode Mode { get; }

    /// <summary>The prime-order group.</summary>
    public IOprfGroup Group { get; }

    /// <summary>The hash function (SHA-512 or SHA-256).</summary>
    public HashAlgorithmName Hash { get; }

    /// <summary>Nh: the hash output length, which is also the OPRF output length.</summary>
    public int HashLength { get; }

    /// <summary>The context string of §3.1.</summary>
    public ReadOnlySpan<byte> ContextString => contextString;

    /// <summary>The same suite in another mode (the context string changes with it).</summary>
    public OprfSuite WithMode(OprfMode mode) => mode == Mode ? this : new OprfSuite(Identifier, mode, Group, Hash, HashLength);

    /// <summary>The suite called <paramref name="identifier"/> in <paramref name="mode"/>.</summary>
    /// <exception cref="ArgumentException">An identifier other than the two implemented.</exception>
    public static OprfSuite FromIdentifier(string identifier, OprfMode mode = OprfMode.Oprf) => identifier switch
    {
        "ristretto255-SHA512" => Ristretto255Sha512.WithMode(mode),
        "P256-SHA256" => P256Sha256.WithMode(mode),
        _ => throw new ArgumentException($"unsupported OPRF suite '{identifier}'", nameof(identifier)),
    };

    /// <summary>
    /// DeriveKeyPair(seed, info) (§3.2.1): skS = HashToScalar(seed || I2OSP(len(info), 2) || info ||
    /// I2OSP(counter, 1)) under DST "DeriveKeyPair" || contextString, retrying while it is zero.
    /// </summary>
    /// <exception cref="OprfException">DeriveKeyPairError (256 zero scalars in a row).</exception>
    public OprfKeyPair DeriveKeyPair(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> info)
    {
        if (info.Length > ushort.MaxValue)
        {
            throw new ArgumentException("info longer than 65535 bytes", nameof(info));
        }

        var input = GC.AllocateArray<byte>(seed.Length + 2 + info.Length + 1, pinned: true);
        try
        {
            seed.CopyTo(input);
            BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(seed.Length), (ushort)info.Length);
            info.CopyTo(input.AsSpan(seed.Length + 2));
            for (var counter = 0; counter <= 255; counter++)
            {
                input[^1] = (byte)counter;
                var secretKey = Group.HashToScalar(input, deriveKeyPairDst);
                if (!secretKey.IsZero)
                {
                    return new OprfKeyPair(secretKey, Group.MultiplyGenerator(secretKey));
                }

                secretKey.Dispose();
            }

            throw new OprfException(OprfError.DeriveKeyPair);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>GenerateKeyPair() (§3.2): a random key pair.</summary>
    public OprfKeyPair GenerateKeyPair(RandomNumberGenerator rng)
    {
        var secretKey = Group.RandomScalar(rng);
        return new OprfKeyPair(secretKey, Group.MultiplyGenerator(secretKey));
    }

    /// <summary>HashToGroup with DST "HashToGroup-" || contextString.</summary>
    internal GroupElement HashToGroup(ReadOnlySpan<byte> input) => Group.HashToGroup(input, hashToGroupDst);

    /// <summary>HashToScalar with DST "HashToScalar-" || contextString.</summary>
    internal GroupScalar HashToScalar(ReadOnlySpan<byte> input) => Group.HashToScalar(input, hashToScalarDst);

    /// <summary>Hash(data) of the suite.</summary>
    internal byte[] HashData(ReadOnlySpan<byte> data) =>
        Hash == HashAlgorithmName.SHA512 ? SHA512.HashData(data) : SHA256.HashData(data);

    /// <inheritdoc />
    public override string ToString() => $"{Identifier} ({Mode})";
}
