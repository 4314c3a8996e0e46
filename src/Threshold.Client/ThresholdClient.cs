using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using Org.BouncyCastle.Crypto.Digests;
using Threshold.Cggmp.Signing;
using Threshold.Channels;
using Threshold.Contracts.V1;
using Threshold.Curves;
using Threshold.Opaque;
using Threshold.Opaque.Client;
using Threshold.Opaque.Cluster;

namespace Threshold.Client;

/// <summary>A key as the wallet knows it.</summary>
/// <param name="KeyId">Its id.</param>
/// <param name="Curve">secp256k1 or P-256.</param>
/// <param name="PublicKey">The public key, confirmed by every node.</param>
public sealed record KeyInfo(string KeyId, Threshold.Curves.Curve Curve, Point PublicKey);

/// <summary>A verified signature and how it came about.</summary>
/// <param name="Signature">The signature, verified against the key.</param>
/// <param name="Signers">The nodes whose partial signatures it combines.</param>
/// <param name="Excluded">Nodes left out while t others signed (culprits with evidence, unresponsive), or null.</param>
public sealed record SignReport(EcdsaSignature Signature, IReadOnlyList<string> Signers, OperationFailure? Excluded);

/// <summary>
/// The wallet SDK. Registers a user with all n nodes and logs in to t or more (OPAQUE, pairwise, the
/// aggregator only relaying), then talks to each node through its own sealed channel: every request
/// to generate a key or to sign is authorised by the user at each node, so the aggregator can neither
/// forge nor replay one. Signatures are verified locally before they are returned.
/// </summary>
public sealed class ThresholdClient : IAsyncDisposable
{
    private static readonly TimeSpan RequestLifetime = TimeSpan.FromMinutes(2);

    private readonly IWalletApi api;
    private readonly OpaqueConfiguration opaque;
    private readonly TimeProvider time;
    private readonly Dictionary<string, SecureChannel> channels = [];
    private readonly Dictionary<string, (byte[] SessionKey, DateTimeOffset ExpiresAt)> sessions = []; // kept for ExportSession; wiped with the channels
    private readonly Dictionary<string, KeyInfo> keys = [];
    private ClusterInfo? cluster;
    private MultiServerClient? opaqueClient;

    /// <summary>A client of the aggregator behind <paramref name="api"/>.</summary>
    public ThresholdClient(IWalletApi api, OpaqueConfiguration opaque, TimeProvider? time = null)
    {
        this.api = api ?? throw new ArgumentNullException(nameof(api));
        this.opaque = opaque ?? throw new ArgumentNullException(nameof(opaque));
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>The logged-in user, if any.</summary>
    public string? UserId { get; private set; }

    /// <summary>The nodes the user has an open channel with.</summary>
    public IReadOnlyCollection<string> SessionNodes => channels.Keys;

    /// <summary>Fetches the cluster's public facts (nodes, t, n, fingerprint), pinning each node's OPAQUE key.</summary>
    public async Task<ClusterInfo> ConnectAsync(CancellationToken cancellationToken = default)
    {
        cluster = await api.GetClusterInfoAsync(cancellationToken).ConfigureAwait(false);
        var group = opaque.Suite.Group;
        var nodes = cluster.Nodes.Select(n => new Opaque.Cluster.NodeDescriptor(n.NodeId, group.DeserializeElement(n.OpaqueServerKey.Span, "node key")));
        opaqueClient = new MultiServerClient(opaque, new ClusterDescriptor(nodes, (int)cluster.Threshold), RandomNumberGenerator.Create());
        return cluster;
    }

    /// <summary>Registers a new user with every node and returns its id.</summary>
    public async Task<string> RegisterAsync(ReadOnlyMemory<byte> password, CancellationToken cancellationToken = default)
    {
        var client = Connected();
        var userId = Opaque.Cluster.UserId.New(RandomNumberGenerator.Create());
        using var registration = client.StartRegistration(userId, password.Span);
        var start = new RegisterStartRequest { UserId = userId.ToString() };
        start.Requests.AddRange(registration.Requests.Select(r => new NodeBytes { NodeId = r.NodeId, Payload = ByteString.CopyFrom(r.Request) }));
        var responses = await api.RegisterStartAsync(start, cancellationToken).ConfigureAwait(false);
        try
        {
            using var result = registration.Finish(responses.Responses.Select(r => new NodeRegistrationResponse(r.NodeId, userId.ToString(), r.Payload.ToByteArray())));
            var finish = new RegisterFinishRequest { UserId = userId.ToString() };
            finish.Uploads.AddRange(result.Uploads.Select(u => new RegistrationUpload { NodeId = u.NodeId, Record = ByteString.CopyFrom(u.Record), SealedExportShare = ByteString.CopyFrom(u.SealedExportShare) }));
            var done = await api.RegisterFinishAsync(finish, cancellationToken).ConfigureAwait(false);
            if (done.RegisteredNodes.Count != client.Cluster.Count)
            {
                throw new ThresholdClientException(ClientErrorKind.RegistrationFailed, "not every node stored the registration");
            }

            return userId.ToString();
        }
        catch (Exception e) when (e is DecodingException or ArgumentException or RegistrationException)
        {
            throw new ThresholdClientException(ClientErrorKind.RegistrationFailed, "registration failed: " + e.Message);
        }
    }

    /// <summary>
    /// Logs in to every reachable node (at least t must authenticate) and opens a channel with each. One
    /// call is one login attempt: one random attempt id for every node, charged once to the user's budget.
    /// </summary>
    /// <exception cref="ThresholdClientException">
    /// <see cref="ClientErrorKind.LoginFailed"/> (the password was refuted), <see cref="ClientErrorKind.LoginLocked"/>
    /// (the budget is empty; see <see cref="ThresholdClientException.LockedUntil"/>), <see cref="ClientErrorKind.TooFewNodes"/>
    /// (fewer than t nodes answered; a right password was not charged), <see cref="ClientErrorKind.RateLimited"/>.
    /// </exception>
    public async Task LoginAsync(string userId, ReadOnlyMemory<byte> password, IEnumerable<string>? nodeIds = null, CancellationToken cancellationToken = default)
    {
        var client = Connected();
        var id = Opaque.Cluster.UserId.Parse(userId);
        using var login = client.StartLogin(id, password.Span, nodeIds);
        var attemptId = ByteString.CopyFrom(login.AttemptId);
        var start = new LoginStartRequest { UserId = userId, AttemptId = attemptId };
        start.Ke1.AddRange(login.Requests.Select(r => new NodeBytes { NodeId = r.NodeId, Payload = ByteString.CopyFrom(r.KE1) }));
        var ke2 = await api.LoginStartAsync(start, cancellationToken).ConfigureAwait(false);
        MultiServerLoginResult result;
        try
        {
            result = login.Finish(ke2.Responses.Select(r => new NodeLoginResponse(r.NodeId, userId, r.Ke2.ToByteArray(), r.SealedExportShare.ToByteArray())));
        }
        catch (ThresholdNotMetException e)
        {
            if (e.Confirmations.Count > 0)
            {
                // The password is right but too few nodes took part: prove it to those that did, so the
                // attempt is given back (their sessions are useless without t and idle out).
                var confirm = new LoginFinishRequest { UserId = userId, AttemptId = attemptId };
                confirm.Ke3.AddRange(e.Confirmations.Select(f => new NodeBytes { NodeId = f.NodeId, Payload = ByteString.CopyFrom(f.KE3) }));
                await api.LoginFinishAsync(confirm, cancellationToken).ConfigureAwait(false);
            }

            throw LoginRefusal(ke2, refuted: e.Confirmations.Count == 0 && ke2.Responses.Count > 0);
        }
        catch (Exception e) when (e is OpaqueAuthenticationException or DecodingException)
        {
            throw LoginRefusal(ke2, refuted: true);
        }

        using (result)
        {
            var finish = new LoginFinishRequest { UserId = userId, AttemptId = attemptId };
            finish.Ke3.AddRange(result.Finishes.Select(f => new NodeBytes { NodeId = f.NodeId, Payload = ByteString.CopyFrom(f.KE3) }));
            var sessions = await api.LoginFinishAsync(finish, cancellationToken).ConfigureAwait(false);
            CloseChannels();
            foreach (var session in sessions.Sessions.Where(s => result.SessionKeys.ContainsKey(s.NodeId)))
            {
                var sessionKey = result.SessionKeys[session.NodeId].Span;
                channels[session.NodeId] = SecureChannel.Open(sessionKey, session.NodeId, session.SessionId.ToByteArray(), ChannelSide.Client);
                this.sessions[session.NodeId] = (sessionKey.ToArray(), DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(session.ExpiresAtUnixMs, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())));
            }

            if (channels.Count < (int)cluster!.Threshold)
            {
                CloseChannels();
                throw new ThresholdClientException(ClientErrorKind.TooFewNodes, "too few nodes completed the login");
            }

            UserId = userId;
        }
    }

    /// <summary>
    /// The open session, to be kept and resumed by a later process with <see cref="ResumeSession"/>: per
    /// node the session id, the OPAQUE session key the channel keys derive from, and the channel counters.
    /// Whoever holds it can act as the user until the session ends: store it where only the user can read it.
    /// </summary>
    /// <exception cref="ThresholdClientException"><see cref="ClientErrorKind.NotLoggedIn"/>.</exception>
    public WalletSession ExportSession()
    {
        if (UserId is null || channels.Count == 0)
        {
            throw new ThresholdClientException(ClientErrorKind.NotLoggedIn, "log in first");
        }

        return new WalletSession(UserId, [.. channels.Values.OrderBy(c => c.NodeId, StringComparer.Ordinal).Select(c =>
            new NodeSessionState(c.NodeId, (byte[])c.SessionId.Clone(), (byte[])sessions[c.NodeId].SessionKey.Clone(), c.Sent, c.Received, sessions[c.NodeId].ExpiresAt))]);
    }

    /// <summary>
    /// Continues a session another process opened (see <see cref="ExportSession"/>). Each channel may seal at
    /// most <paramref name="messageBudget"/> messages: record the session with every counter advanced by that
    /// much before sending anything, and a crash can never make a later process reuse a counter.
    /// </summary>
    /// <exception cref="ThresholdClientException"><see cref="ClientErrorKind.NotLoggedIn"/>: the session has fewer than t nodes of this cluster.</exception>
    public void ResumeSession(WalletSession session, ulong messageBudget = ulong.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(session);
        var client = Connected();
        var known = cluster!.Nodes.Select(n => n.NodeId).ToHashSet(StringComparer.Ordinal);
        var usable = session.Nodes.Where(n => known.Contains(n.NodeId)).DistinctBy(n => n.NodeId).ToList();
        if (usable.Count < client.Cluster.Threshold)
        {
            throw new ThresholdClientException(ClientErrorKind.NotLoggedIn, "the stored session does not reach t nodes of this cluster: log in again");
        }

        CloseChannels();
        foreach (var node in usable)
        {
            var limit = node.Sent > ulong.MaxValue - messageBudget ? ulong.MaxValue : node.Sent + messageBudget;
            channels[node.NodeId] = SecureChannel.Resume(node.SessionKey, node.NodeId, (byte[])node.SessionId.Clone(), ChannelSide.Client, node.Sent, node.Received, limit);
            sessions[node.NodeId] = ((byte[])node.SessionKey.Clone(), node.ExpiresAt);
        }

        UserId = session.UserId;
    }

    /// <summary>Generates a key on <paramref name="curve"/>: every node must be logged in and agree.</summary>
    public async Task<KeyInfo> GenerateKeyAsync(Threshold.Curves.Curve curve, CancellationToken cancellationToken = default)
    {
        var (requestId, request) = NewRequest();
        request.GenerateKey = new GenerateKeyOperation { Curve = ToWire(curve) };
        if (channels.Count != (int)Connected().Cluster.Count)
        {
            throw new ThresholdClientException(ClientErrorKind.NotLoggedIn, "key generation needs a session with every node");
        }

        var call = new GenerateKeyRequest { RequestId = requestId, Curve = ToWire(curve), UserId = UserId! };
        call.Requests.AddRange(channels.Values.Select(c => c.Seal(request)));
        var response = await api.GenerateKeyAsync(call, cancellationToken).ConfigureAwait(false);
        var replies = OpenReplies(response.Replies, requestId);
        if (replies.Count != channels.Count || replies.Any(r => !r.Accepted))
        {
            throw new ThresholdClientException(ClientErrorKind.Refused, "a node refused to generate the key: " + string.Join("; ", replies.Where(r => !r.Accepted).Select(r => r.Error)));
        }

        if (response.Failure is { } failure)
        {
            throw new ThresholdClientException(ClientErrorKind.OperationFailed, failure.Reason, failure);
        }

        var key = new KeyInfo(response.KeyId, curve, Point.Decode(curve, response.PublicKey.Span));
        var confirmed = await GetPublicKeyAsync(key.KeyId, cancellationToken).ConfigureAwait(false);
        if (!confirmed.PublicKey.Equals(key.PublicKey))
        {
            throw new ThresholdClientException(ClientErrorKind.Untrusted, "the nodes do not confirm the public key the aggregator returned");
        }

        return confirmed;
    }

    /// <summary>The key's public key, as every node in session confirms it.</summary>
    public async Task<KeyInfo> GetPublicKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        var (requestId, request) = NewRequest();
        request.GetPublicKey = new GetPublicKeyOperation { KeyId = keyId };
        var call = new GetPublicKeyRequest();
        call.Requests.AddRange(Channels().Select(c => c.Seal(request)));
        var response = await api.GetPublicKeyAsync(call, cancellationToken).ConfigureAwait(false);
        return KeyFromReplies(keyId, OpenReplies(response.Replies, requestId)) ?? throw new ThresholdClientException(ClientErrorKind.Refused, "no such key");
    }

    /// <summary>
    /// The key as at least t nodes confirm it in their sealed replies, all naming the same key, curve and
    /// point (remembered for later calls); null when fewer than t do.
    /// </summary>
    private KeyInfo? KeyFromReplies(string keyId, List<ChannelReply> replies)
    {
        var accepted = replies.Where(r => r.Accepted).ToList();
        if (accepted.Count < (int)cluster!.Threshold || accepted.Select(r => (r.KeyId, r.PublicKey, r.Curve)).Distinct().Count() != 1 || accepted[0].KeyId != keyId)
        {
            return null;
        }

        var curve = accepted[0].Curve == Contracts.V1.Curve.P256 ? Threshold.Curves.Curve.P256 : Threshold.Curves.Curve.Secp256k1;
        KeyInfo key;
        try
        {
            key = new KeyInfo(keyId, curve, Point.Decode(curve, accepted[0].PublicKey.Span));
        }
        catch (DecodingException)
        {
            return null;
        }

        keys[keyId] = key;
        return key;
    }

    /// <summary>Signs a 32-byte digest with the key; the signature is verified before it is returned.</summary>
    public async Task<EcdsaSignature> SignDigestAsync(string keyId, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken = default) =>
        (await SignDigestWithReportAsync(keyId, digest, cancellationToken).ConfigureAwait(false)).Signature;

    /// <summary>
    /// As <see cref="SignDigestAsync"/>, and says which nodes signed and which were left out on the way
    /// (a node named as a culprit with evidence, or one that stopped answering, while t others signed).
    /// </summary>
    public async Task<SignReport> SignDigestWithReportAsync(string keyId, ReadOnlyMemory<byte> digest, CancellationToken cancellationToken = default)
    {
        if (digest.Length != 32)
        {
            throw new ArgumentException("the digest must be 32 bytes", nameof(digest));
        }

        // One wallet call, one round trip per signer: the key comes from this client's cache (key generation
        // or a lookup put it there) or from the signers' sealed replies.
        var (requestId, request) = NewRequest();
        request.Sign = new SignOperation { KeyId = keyId, Digest = ByteString.CopyFrom(digest.Span) };
        var call = new SignRequest { KeyId = keyId, RequestId = requestId }; // the digest travels sealed only
        call.Requests.AddRange(Channels().Select(c => c.Seal(request)));
        var response = await api.SignAsync(call, cancellationToken).ConfigureAwait(false);
        var replies = OpenReplies(response.Replies, requestId);
        if (response.Failure is { } failure)
        {
            if (replies.Count > 0 && replies.All(r => !r.Accepted))
            {
                throw new ThresholdClientException(ClientErrorKind.Refused, string.Join("; ", replies.Select(r => r.Error).Distinct()), failure);
            }

            if (replies.Count == 0 && !keys.ContainsKey(keyId))
            {
                await GetPublicKeyAsync(keyId, cancellationToken).ConfigureAwait(false); // says "no such key" when that is why
            }

            throw new ThresholdClientException(ClientErrorKind.OperationFailed, failure.Reason, failure);
        }

        var key = keys.TryGetValue(keyId, out var known) ? known : KeyFromReplies(keyId, replies) ?? await GetPublicKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        var signature = new EcdsaSignature(Scalar.Decode(key.Curve, response.R.Span), Scalar.Decode(key.Curve, response.S.Span), (int)response.RecoveryId);
        if (!Ecdsa.Verify(key.PublicKey, digest.Span, signature.R, signature.S))
        {
            throw new ThresholdClientException(ClientErrorKind.Untrusted, "the aggregator returned a signature that does not verify");
        }

        return new SignReport(signature, [.. response.Signers], response.Excluded);
    }

    /// <summary>
    /// Signs a message: its SHA-256 digest on P-256, its Keccak-256 digest on secp256k1 (as Ethereum
    /// hashes, so ecrecover finds the signer).
    /// </summary>
    public async Task<(EcdsaSignature Signature, byte[] Digest)> SignMessageAsync(string keyId, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        var key = keys.TryGetValue(keyId, out var known) ? known : await GetPublicKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        var digest = Digest(key.Curve, message.Span);
        return (await SignDigestAsync(keyId, digest, cancellationToken).ConfigureAwait(false), digest);
    }

    /// <summary>The digest a message is signed under on <paramref name="curve"/>.</summary>
    public static byte[] Digest(Threshold.Curves.Curve curve, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (curve == Threshold.Curves.Curve.P256)
        {
            return SHA256.HashData(message);
        }

        var keccak = new KeccakDigest(256);
        keccak.BlockUpdate(message.ToArray(), 0, message.Length);
        var digest = new byte[32];
        keccak.DoFinal(digest, 0);
        return digest;
    }

    /// <summary>Verifies a signature locally.</summary>
    public static bool Verify(KeyInfo key, ReadOnlySpan<byte> digest, EcdsaSignature signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(signature);
        return Ecdsa.Verify(key.PublicKey, digest, signature.R, signature.S);
    }

    /// <summary>Ends the session with every node.</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken = default)
    {
        if (channels.Count > 0)
        {
            var (_, request) = NewRequest();
            request.Logout = new LogoutOperation();
            var call = new LogoutRequest();
            call.Requests.AddRange(channels.Values.Select(c => c.Seal(request)));
            await api.LogoutAsync(call, cancellationToken).ConfigureAwait(false);
        }

        CloseChannels();
        UserId = null;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        CloseChannels();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Why a login reached fewer than t nodes: a node that answered refuted the password (charged); else
    /// nodes refused because the budget is empty (locked until the latest time they gave); else too few
    /// answered. The lock is reported only by nodes that checked this attempt against the budget.
    /// </summary>
    private static ThresholdClientException LoginRefusal(LoginStartResponse ke2, bool refuted)
    {
        if (refuted)
        {
            return new ThresholdClientException(ClientErrorKind.LoginFailed, "login failed");
        }

        if (ke2.LockedNodes.Count > 0)
        {
            var until = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ke2.LockedNodes.Max(l => l.LockedUntilUnixMs), 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
            return new ThresholdClientException(ClientErrorKind.LoginLocked, $"too many login attempts: locked until {until.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture)}") { LockedUntil = until };
        }

        return new ThresholdClientException(ClientErrorKind.TooFewNodes, $"too few nodes answered the login (unavailable: {string.Join(", ", ke2.UnavailableNodes)})");
    }

    private MultiServerClient Connected() => opaqueClient ?? throw new InvalidOperationException("call ConnectAsync first");

    private IReadOnlyCollection<SecureChannel> Channels() =>
        channels.Count > 0 ? channels.Values : throw new ThresholdClientException(ClientErrorKind.NotLoggedIn, "log in first");

    private (ByteString RequestId, ChannelRequest Request) NewRequest()
    {
        if (UserId is null)
        {
            throw new ThresholdClientException(ClientErrorKind.NotLoggedIn, "log in first");
        }

        var id = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16));
        return (id, new ChannelRequest { RequestId = id, ExpiresAtUnixMs = (time.GetUtcNow() + RequestLifetime).ToUnixTimeMilliseconds() });
    }

    private List<ChannelReply> OpenReplies(IEnumerable<ChannelEnvelope> envelopes, ByteString requestId)
    {
        var replies = new List<ChannelReply>();
        foreach (var envelope in envelopes)
        {
            if (!channels.TryGetValue(envelope.NodeId, out var channel))
            {
                continue;
            }

            try
            {
                var reply = channel.Open(envelope, ChannelReply.Parser);
                if (reply.RequestId == requestId)
                {
                    replies.Add(reply);
                }
            }
            catch (ChannelException)
            {
                // A reply the aggregator altered or replayed counts as no reply.
            }
        }

        return replies;
    }

    private void CloseChannels()
    {
        foreach (var channel in channels.Values)
        {
            channel.Dispose();
        }

        foreach (var (key, _) in sessions.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }

        channels.Clear();
        sessions.Clear();
    }

    private static Contracts.V1.Curve ToWire(Threshold.Curves.Curve curve) =>
        curve == Threshold.Curves.Curve.P256 ? Contracts.V1.Curve.P256 : Contracts.V1.Curve.Secp256K1;
}
