// RFC 9807 server side: CreateRegistrationResponse (§5.2.2) and GenerateKE2 (§6.2.2), which runs
// CreateCredentialResponse (§6.3.2.2) and AuthServerRespond (§6.4.4).
using System.Security.Cryptography;
using Threshold.Opaque.Ake;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Oprf;

namespace Threshold.Opaque;

/// <summary>
/// The OPAQUE server of one configuration and setup. Stateless between calls: a login in progress lives
/// in the <see cref="ServerLogin"/> that <see cref="StartLogin(KE1, RegistrationRecord?, ReadOnlySpan{byte}, PartyIdentities, RandomNumberGenerator, SecretBytes?)"/> returns.
/// </summary>
public sealed class OpaqueServer
{
    private readonly ServerSetup setup;

    /// <summary>A server for <paramref name="configuration"/> with <paramref name="setup"/> (the caller keeps ownership of it).</summary>
    public OpaqueServer(OpaqueConfiguration configuration, ServerSetup setup)
    {
        Configuration = configuration ?? throw new ArgumentNullException(nameof(configuration));
        this.setup = setup ?? throw new ArgumentNullException(nameof(setup));
        if (!ReferenceEquals(setup.Suite, configuration.Suite))
        {
            throw new ArgumentException("the setup belongs to another suite", nameof(setup));
        }
    }

    /// <summary>The configuration.</summary>
    public OpaqueConfiguration Configuration { get; }

    /// <summary>server_public_key.</summary>
    public Groups.GroupElement PublicKey => setup.AkeKeyPair.PublicKey;

    /// <summary>
    /// CreateRegistrationResponse(request, server_public_key, credential_identifier, oprf_seed) (§5.2.2).
    /// </summary>
    /// <param name="request">The client's request (its element was validated when decoded).</param>
    /// <param name="credentialIdentifier">Unique per credential; never reused for another client.</param>
    /// <param name="oprfSeed">A per-user oprf_seed (Nh bytes), or null for the setup's global seed.</param>
    public RegistrationResponse CreateRegistrationResponse(RegistrationRequest request, ReadOnlySpan<byte> credentialIdentifier, SecretBytes? oprfSeed = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var oprfKey = Configuration.Suite.DeriveOprfKey(Seed(oprfSeed).Span, credentialIdentifier);
        var evaluated = OprfServer.BlindEvaluate(oprfKey.SecretKey, request.BlindedMessage);
        return new RegistrationResponse(evaluated, PublicKey);
    }

    /// <summary>
    /// GenerateKE2(server_identity, server_private_key, server_public_key, record, credential_identifier,
    /// oprf_seed, ke1, client_identity) (§6.2.2). With <paramref name="record"/> null the credential is
    /// unknown: a fake record answers (§6.3.2.2), the response looks the same, and
    /// <see cref="ServerLogin.Finish(KE3)"/> will fail.
    /// </summary>
    /// <param name="ke1">The client's KE1 (validated when decoded).</param>
    /// <param name="record">The stored record, or null for an unknown credential.</param>
    /// <param name="credentialIdentifier">The credential identifier used at registration.</param>
    /// <param name="identities">The identities bound at registration.</param>
    /// <param name="rng">Randomness for the masking nonce, server nonce and ephemeral key.</param>
    /// <param name="oprfSeed">A per-user oprf_seed, or null for the setup's global seed.</param>
    public ServerLogin StartLogin(
        KE1 ke1, RegistrationRecord? record, ReadOnlySpan<byte> credentialIdentifier, PartyIdentities identities, RandomNumberGenerator rng, SecretBytes? oprfSeed = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var suite = Configuration.Suite;
        var isFake = record is null;
        record ??= RegistrationRecord.CreateFake(suite, setup.FakeClientPublicKey, rng);
        Span<byte> maskingNonce = stackalloc byte[suite.NonceLength];
        Span<byte> serverNonce = stackalloc byte[suite.NonceLength];
        Span<byte> keyshareSeed = stackalloc byte[suite.SeedLength];
        try
        {
            rng.GetBytes(maskingNonce);
            rng.GetBytes(serverNonce);
            rng.GetBytes(keyshareSeed);
            return StartLogin(ke1, record, isFake, credentialIdentifier, identities, Seed(oprfSeed), maskingNonce, serverNonce, keyshareSeed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyshareSeed);
        }
    }

    /// <summary>GenerateKE2 with every random input given (the RFC vectors' hook, and the per-node server's fake path).</summary>
    internal ServerLogin StartLogin(
        KE1 ke1,
        RegistrationRecord record,
        bool isFake,
        ReadOnlySpan<byte> credentialIdentifier,
        PartyIdentities identities,
        SecretBytes oprfSeed,
        ReadOnlySpan<byte> maskingNonce,
        ReadOnlySpan<byte> serverNonce,
        ReadOnlySpan<byte> serverKeyshareSeed)
    {
        ArgumentNullException.ThrowIfNull(ke1);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(identities);
        var suite = Configuration.Suite;
        var group = suite.Group;

        // CreateCredentialResponse (§6.3.2.2): the same work for real and fake records.
        CredentialResponse credentialResponse;
        using (var oprfKey = suite.DeriveOprfKey(oprfSeed.Span, credentialIdentifier))
        {
            credentialResponse = CredentialRetrieval.CreateResponse(suite, ke1.BlindedMessage, PublicKey, record, oprfKey.SecretKey, maskingNonce);
        }

        // AuthServerRespond (§6.4.4).
        var credentials = CleartextCredentials.Create(PublicKey.Serialize(), record.ClientPublicKey.Serialize(), identities);
        using var keyshare = suite.DeriveDiffieHellmanKeyPair(serverKeyshareSeed);
        var serverPublicKeyshare = keyshare.PublicKey.Serialize();
        var preamble = ThreeDh.Preamble(
            Configuration.Context, credentials.ClientIdentity, ke1.Serialize(), credentials.ServerIdentity,
            credentialResponse.Serialize(), serverNonce, serverPublicKeyshare);

        var ikm = GC.AllocateArray<byte>(3 * suite.PublicKeyLength, pinned: true);
        try
        {
            ThreeDh.DiffieHellman(group, keyshare.SecretKey, ke1.ClientPublicKeyshare).CopyTo(ikm, 0);
            ThreeDh.DiffieHellman(group, setup.AkeKeyPair.SecretKey, ke1.ClientPublicKeyshare).CopyTo(ikm, suite.PublicKeyLength);
            ThreeDh.DiffieHellman(group, keyshare.SecretKey, record.ClientPublicKey).CopyTo(ikm, 2 * suite.PublicKeyLength);
            using var keys = ThreeDh.DeriveKeys(suite, ikm, preamble);
            var serverMac = ThreeDh.ServerMac(suite, keys, preamble);
            var expectedClientMac = ThreeDh.ClientMac(suite, keys, preamble, serverMac);
            var ke2 = new KE2(credentialResponse, serverNonce, keyshare.PublicKey, serverMac);
            return new ServerLogin(suite, ke2, new SecretBytes(expectedClientMac), keys.SessionKey.Clone(), isFake);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
        }
    }

    private SecretBytes Seed(SecretBytes? oprfSeed)
    {
        var seed = oprfSeed ?? setup.OprfSeed;
        return seed.Length == Configuration.Suite.HashLength
            ? seed
            : throw new ArgumentException("the OPRF seed must be Nh bytes", nameof(oprfSeed));
    }
}
