// RFC 9807 §3.1 server setup: the OPRF seed (Nh bytes) and the AKE key pair; plus the fake client public
// key that §6.3.2.2 recommends creating once for answers to unknown credentials.
using System.Security.Cryptography;
using Threshold.Opaque.Groups;
using Threshold.Opaque.Oprf;

namespace Threshold.Opaque;

/// <summary>
/// A server's long-term OPAQUE material: the AKE key pair, a global oprf_seed (the per-node server of
/// Threshold passes per-user seeds instead), and a fake client public key for unknown users.
/// </summary>
public sealed class ServerSetup : IDisposable
{
    /// <summary>Takes ownership of the key pair and the seed.</summary>
    public ServerSetup(OpaqueSuite suite, OprfKeyPair akeKeyPair, SecretBytes oprfSeed, GroupElement fakeClientPublicKey)
    {
        Suite = suite ?? throw new ArgumentNullException(nameof(suite));
        AkeKeyPair = akeKeyPair ?? throw new ArgumentNullException(nameof(akeKeyPair));
        OprfSeed = oprfSeed ?? throw new ArgumentNullException(nameof(oprfSeed));
        FakeClientPublicKey = fakeClientPublicKey ?? throw new ArgumentNullException(nameof(fakeClientPublicKey));
        if (!ReferenceEquals(akeKeyPair.PublicKey.Group, suite.Group) || !ReferenceEquals(fakeClientPublicKey.Group, suite.Group))
        {
            throw new ArgumentException("keys of another group than the suite's");
        }

        if (oprfSeed.Length != suite.HashLength)
        {
            throw new ArgumentException("the OPRF seed must be Nh bytes", nameof(oprfSeed));
        }
    }

    /// <summary>The suite.</summary>
    public OpaqueSuite Suite { get; }

    /// <summary>(server_private_key, server_public_key).</summary>
    public OprfKeyPair AkeKeyPair { get; }

    /// <summary>oprf_seed: Nh random bytes from which per-credential OPRF keys are derived.</summary>
    public SecretBytes OprfSeed { get; }

    /// <summary>The client public key placed in fake records.</summary>
    public GroupElement FakeClientPublicKey { get; }

    /// <summary>Fresh setup: a random AKE key pair, a random oprf_seed and a random fake client key.</summary>
    public static ServerSetup Generate(OpaqueSuite suite, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var akeKeyPair = suite.Oprf.GenerateKeyPair(rng);
        using var fake = suite.Oprf.GenerateKeyPair(rng);
        return new ServerSetup(suite, akeKeyPair, SecretBytes.Random(suite.HashLength, rng), fake.PublicKey);
    }

    /// <summary>
    /// The setup as bytes, for the node's sealed storage: server_private_key ‖ server_public_key ‖
    /// oprf_seed ‖ fake client public key, each of the suite's fixed length. Secret.
    /// </summary>
    public byte[] Export()
    {
        using var secret = AkeKeyPair.SecretKey.Serialize();
        return [.. secret.Span, .. AkeKeyPair.PublicKey.Serialize(), .. OprfSeed.Span, .. FakeClientPublicKey.Serialize()];
    }

    /// <summary>Restores a setup written by <see cref="Export"/>, checking that the key pair matches.</summary>
    /// <exception cref="DecodingException">Wrong length, invalid elements, or a public key that is not the private key's.</exception>
    public static ServerSetup Import(OpaqueSuite suite, ReadOnlySpan<byte> exported)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var group = suite.Group;
        var (nsk, npk, nh) = (group.ScalarLength, group.ElementLength, suite.HashLength);
        if (exported.Length != nsk + npk + nh + npk)
        {
            throw new DecodingException(DecodingError.Malformed, "server setup");
        }

        var secret = group.DeserializeScalar(exported[..nsk], "server private key");
        var publicKey = group.DeserializeElement(exported.Slice(nsk, npk), "server public key");
        if (!group.MultiplyGenerator(secret).Equals(publicKey))
        {
            secret.Dispose();
            throw new DecodingException(DecodingError.OutOfRange, "server key pair");
        }

        var fake = group.DeserializeElement(exported[(nsk + npk + nh)..], "fake client key");
        return new ServerSetup(suite, new OprfKeyPair(secret, publicKey), new SecretBytes(exported.Slice(nsk + npk, nh)), fake);
    }

    /// <summary>Wipes the private key and the seed.</summary>
    public void Dispose()
    {
        AkeKeyPair.Dispose();
        OprfSeed.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"ServerSetup({Suite.Name}, server_public_key={AkeKeyPair.PublicKey})";
}
