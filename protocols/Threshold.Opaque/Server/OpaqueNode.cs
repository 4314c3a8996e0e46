// One key-server node's side of password login: RFC 9807 registration (§5) and login (§6) with a
// per-user user_seed and oprf_seed = KDF(user_seed, domain separator) (Lock-Keeper design extension
// notes), user-id format and freshness checks, fake answers for unknown users (§6.3.2.2, §10.9), and
// one error for every login failure.
using System.Security.Cryptography;
using Threshold.Opaque.Client;
using Threshold.Opaque.Cluster;
using Threshold.Opaque.Messages;

namespace Threshold.Opaque.Server;

/// <summary>
/// The OPAQUE server of one node. Pure: the caller brings decoded-from-the-wire messages and keeps the
/// pending states; the node reads and writes only its <see cref="IRegistrationRecordStore"/>.
/// </summary>
/// <remarks>
/// Per user, the node draws a 32-byte <c>user_seed</c> at registration and derives the user's
/// <c>oprf_seed = HKDF-Expand(HKDF-Extract("threshold.opaque.oprf_seed.v1", user_seed), suite name, Nh)</c>;
/// the OPRF key then follows RFC 9807 (Expand(oprf_seed, credential_identifier || "OprfKey")). For an
/// unknown user the node derives a stand-in user_seed from its setup's oprf_seed and the user id, so
/// repeated probes see one consistent OPRF key, as they would for a real user.
/// </remarks>
public sealed class OpaqueNode
{
    private const int UserSeedLength = 32;

    private readonly OpaqueServer server;
    private readonly ServerSetup setup;
    private readonly IRegistrationRecordStore store;
    private readonly RandomNumberGenerator rng;

    /// <summary>A node called <paramref name="nodeId"/>.</summary>
    /// <param name="nodeId">The node's identifier; OPAQUE's server_identity.</param>
    /// <param name="configuration">The configuration shared with clients.</param>
    /// <param name="setup">The node's AKE key pair, fake-record key and secret seed (kept by the caller).</param>
    /// <param name="store">Where registered users live.</param>
    /// <param name="rng">Randomness for seeds and nonces.</param>
    public OpaqueNode(string nodeId, OpaqueConfiguration configuration, ServerSetup setup, IRegistrationRecordStore store, RandomNumberGenerator rng)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        NodeId = nodeId;
        this.setup = setup ?? throw new ArgumentNullException(nameof(setup));
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.rng = rng ?? throw new ArgumentNullException(nameof(rng));
        server = new OpaqueServer(configuration, setup);
    }

    /// <summary>The node's identifier.</summary>
    public string NodeId { get; }

    /// <summary>The configuration.</summary>
    public OpaqueConfiguration Configuration => server.Configuration;

    /// <summary>server_public_key, for discovery and pinning.</summary>
    public Groups.GroupElement PublicKey => server.PublicKey;

    /// <summary>
    /// Registration, first half: checks the user id's format and freshness, draws the user's seed and
    /// answers with CreateRegistrationResponse (RFC 9807 §5.2.2).
    /// </summary>
    /// <exception cref="RegistrationException">Wrong node, malformed or already used user id.</exception>
    /// <exception cref="DecodingException">The request does not decode.</exception>
    public (NodeRegistrationResponse Response, PendingRegistration Pending) StartRegistration(NodeRegistrationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        CheckAddressed(request.NodeId);
        if (!UserId.TryParse(request.UserId, out var userId))
        {
            throw new RegistrationException(RegistrationFailure.MalformedUserId, NodeId);
        }

        if (store.WasEverUsed(userId))
        {
            throw new RegistrationException(RegistrationFailure.UserIdNotFresh, NodeId);
        }

        var decoded = RegistrationRequest.Deserialize(Configuration.Suite, request.Request);
        var userSeed = SecretBytes.Random(UserSeedLength, rng);
        try
        {
            using var oprfSeed = DeriveOprfSeed(userSeed);
            var response = server.CreateRegistrationResponse(decoded, userId.ToBytes(), oprfSeed);
            return (new NodeRegistrationResponse(NodeId, userId.ToString(), response.Serialize()), new PendingRegistration(NodeId, userId, userSeed));
        }
        catch
        {
            userSeed.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Registration, second half: stores the record and sealed share for the user of
    /// <paramref name="pending"/>, if the upload is for that same user and the id is still fresh.
    /// Consumes the pending state.
    /// </summary>
    /// <exception cref="RegistrationException">Upload for another user or node, id taken meanwhile, state already used, or a malformed share.</exception>
    /// <exception cref="DecodingException">The record does not decode (for example an invalid client public key).</exception>
    public void FinishRegistration(PendingRegistration pending, NodeRegistrationUpload upload)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(upload);
        if (!string.Equals(pending.NodeId, NodeId, StringComparison.Ordinal))
        {
            throw new RegistrationException(RegistrationFailure.NodeMismatch, NodeId);
        }

        var userSeed = pending.Take() ?? throw new RegistrationException(RegistrationFailure.StateConsumed, NodeId);
        try
        {
            CheckAddressed(upload.NodeId);
            if (!string.Equals(upload.UserId, pending.UserId.ToString(), StringComparison.Ordinal))
            {
                throw new RegistrationException(RegistrationFailure.UserMismatch, NodeId);
            }

            if (upload.SealedExportShare is null || upload.SealedExportShare.Length != ExportKeySharing.SealedLength)
            {
                throw new RegistrationException(RegistrationFailure.MalformedShare, NodeId);
            }

            var record = RegistrationRecord.Deserialize(Configuration.Suite, upload.Record);
            var credential = new StoredCredential(pending.UserId, userSeed, record, [.. upload.SealedExportShare]);
            if (!store.TryAdd(credential))
            {
                throw new RegistrationException(RegistrationFailure.UserIdNotFresh, NodeId);
            }

            userSeed = null; // the store owns it now
        }
        finally
        {
            userSeed?.Dispose();
        }
    }

    /// <summary>
    /// Login, first half: GenerateKE2 (RFC 9807 §6.2.2) for a registered user, or the same computation
    /// over a fake record for an unknown one, so that the two answers cannot be told apart.
    /// </summary>
    /// <remarks>With an attempt id the AKE runs under <see cref="OpaqueConfiguration.ForAttempt"/>, as the multi-server client does.</remarks>
    /// <exception cref="DecodingException">Malformed user id, attempt id or KE1 (all public facts, no account is revealed).</exception>
    /// <exception cref="ArgumentException">The request is addressed to another node.</exception>
    public (NodeLoginResponse Response, PendingLogin Pending) StartLogin(NodeLoginRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!string.Equals(request.NodeId, NodeId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"request addressed to node '{request.NodeId}', not '{NodeId}'", nameof(request));
        }

        var userId = UserId.Parse(request.UserId);
        var suite = Configuration.Suite;
        var ke1 = KE1.Deserialize(suite, request.KE1);
        var attemptServer = server;
        if (request.AttemptId is { } attemptId)
        {
            if (attemptId.Length != NodeLoginRequest.AttemptIdLength)
            {
                throw new DecodingException(DecodingError.Malformed, "attempt_id");
            }

            attemptServer = new OpaqueServer(Configuration.ForAttempt(attemptId), setup);
        }

        var identities = MultiServerClient.Identities(userId, NodeId);

        var credential = store.Find(userId);
        RegistrationRecord record;
        byte[] sealedShare;
        SecretBytes userSeed;
        if (credential is not null)
        {
            record = credential.Record;
            sealedShare = credential.SealedExportShare;
            userSeed = credential.UserSeed.Clone();
        }
        else
        {
            record = RegistrationRecord.CreateFake(suite, setup.FakeClientPublicKey, rng);
            sealedShare = ExportKeySharing.Fake(suite, setup.OprfSeed, userId);
            userSeed = DeriveFakeUserSeed(userId);
        }

        Span<byte> maskingNonce = stackalloc byte[suite.NonceLength];
        Span<byte> serverNonce = stackalloc byte[suite.NonceLength];
        Span<byte> keyshareSeed = stackalloc byte[suite.SeedLength];
        try
        {
            rng.GetBytes(maskingNonce);
            rng.GetBytes(serverNonce);
            rng.GetBytes(keyshareSeed);
            using var oprfSeed = DeriveOprfSeed(userSeed);
            var login = attemptServer.StartLogin(ke1, record, credential is null, userId.ToBytes(), identities, oprfSeed, maskingNonce, serverNonce, keyshareSeed);
            var response = new NodeLoginResponse(NodeId, userId.ToString(), login.Message.Serialize(), [.. sealedShare]);
            return (response, new PendingLogin(NodeId, userId, login));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyshareSeed);
            userSeed.Dispose();
        }
    }

    /// <summary>
    /// Login, second half: ServerFinish (RFC 9807 §6.2.3). Consumes <paramref name="pending"/> whatever
    /// happens, so the same KE3 (or any other) cannot be tried against it again.
    /// </summary>
    /// <exception cref="OpaqueAuthenticationException">
    /// Every failure alike: wrong or malformed KE3, replay, unknown user, a KE3 for another user or node.
    /// </exception>
    public NodeSession FinishLogin(PendingLogin pending, NodeLoginFinish finish)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(finish);
        if (!string.Equals(pending.NodeId, NodeId, StringComparison.Ordinal)
            || !string.Equals(finish.NodeId, NodeId, StringComparison.Ordinal)
            || !string.Equals(finish.UserId, pending.UserId.ToString(), StringComparison.Ordinal))
        {
            pending.Dispose();
            throw new OpaqueAuthenticationException();
        }

        var sessionKey = pending.Login.Finish(finish.KE3);
        return new NodeSession(NodeId, pending.UserId, sessionKey);
    }

    /// <inheritdoc />
    public override string ToString() => $"OpaqueNode({NodeId}, {Configuration})";

    /// <summary>oprf_seed = HKDF-Expand(HKDF-Extract("threshold.opaque.oprf_seed.v1", user_seed), suite name, Nh).</summary>
    internal SecretBytes DeriveOprfSeed(SecretBytes userSeed)
    {
        var suite = Configuration.Suite;
        using var prk = suite.Extract("threshold.opaque.oprf_seed.v1"u8, userSeed.Span);
        return suite.Expand(prk.Span, System.Text.Encoding.ASCII.GetBytes(suite.Name), suite.HashLength);
    }

    /// <summary>The stand-in user_seed of an unknown user: a PRF of the user id under the node's secret seed.</summary>
    private SecretBytes DeriveFakeUserSeed(UserId userId)
    {
        var suite = Configuration.Suite;
        using var prk = suite.Extract("threshold.opaque.fake_user_seed.v1"u8, setup.OprfSeed.Span);
        return suite.Expand(prk.Span, userId.ToBytes(), UserSeedLength);
    }

    private void CheckAddressed(string nodeId)
    {
        if (!string.Equals(nodeId, NodeId, StringComparison.Ordinal))
        {
            throw new RegistrationException(RegistrationFailure.NodeMismatch, NodeId);
        }
    }
}
