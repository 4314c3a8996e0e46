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

    /// <summary>Wipes the private key and the seed.</summary>
    public void Dispose()
    {
        AkeKeyPair.Dispose();
        OprfSeed.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"ServerSetup({Suite.Name}, server_public_key={AkeKeyPair.PublicKey})";
}
