using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Threshold.Channels;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node.Freshness;
using Threshold.Node.Identity;
using Threshold.Node.Protocols;
using Threshold.Node.Sessions;
using Threshold.Node.Storage;
using Threshold.Opaque;
using Threshold.Opaque.Cluster;
using Threshold.Opaque.Server;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Storage.Consensus;

namespace Threshold.Node;

/// <summary>Everything a node is made of.</summary>
public sealed record NodeOptions
{
    /// <summary>The node's identity keys and party index.</summary>
    public required NodeIdentity Identity { get; init; }

    /// <summary>The cluster's membership.</summary>
    public required ClusterMembers Members { get; init; }

    /// <summary>OPAQUE configuration shared with clients.</summary>
    public required OpaqueConfiguration Opaque { get; init; }

    /// <summary>The node's OPAQUE AKE key pair and seeds.</summary>
    public required ServerSetup OpaqueSetup { get; init; }

    /// <summary>Registered users.</summary>
    public required IRegistrationRecordStore Users { get; init; }

    /// <summary>Keys, aux info, presignatures, audit.</summary>
    public required INodeVault Vault { get; init; }

    /// <summary>The login budget (a refilling token bucket per user; see <see cref="ILoginBudget"/>).</summary>
    public required ILoginBudget LoginBudget { get; init; }

    /// <summary>How long a login waits for its KE3 (at most the budget's attempt lifetime, so a late KE3 still finds the attempt to refund).</summary>
    public TimeSpan PendingLoginLifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How many logins may wait for their KE3 at once; beyond it the oldest are dropped.</summary>
    public int MaxPendingLogins { get; init; } = 10_000;

    /// <summary>How long a registration waits for its upload.</summary>
    public TimeSpan PendingRegistrationLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many registrations may wait for their upload at once; beyond it the oldest are dropped.</summary>
    public int MaxPendingRegistrations { get; init; } = 1_000;

    /// <summary>Safe primes for aux-info.</summary>
    public required PrimePool Primes { get; init; }

    /// <summary>
    /// Makes the vault's state version durable outside the node before an irreversible output leaves it
    /// (<see cref="IStateFreshness.PublishBeforeIrreversibleOutputAsync"/>: today before every partial
    /// signature; whatever else must not be repeated from a restored database calls it the same way).
    /// <see cref="NoStateFreshness"/> (the default) when there is no consensus store.
    /// </summary>
    public IStateFreshness Freshness { get; init; } = NoStateFreshness.Instance;

    /// <summary>Paillier level.</summary>
    public SecurityLevel Level { get; init; } = SecurityLevel.Bits2048;

    /// <summary>Clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long a login session lives.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a session may stay idle.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>The furthest in the future a request may say it expires.</summary>
    public TimeSpan MaxRequestLifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How the node creates its key generation, aux-info and presigning parties (default: CGGMP21).</summary>
    public ProtocolSuite Protocols { get; init; } = ProtocolSuite.Cggmp21;
}

/// <summary>
/// One key-server node, transport-agnostic: every method takes and returns the node API's messages
/// (threshold.v1.Node) and refuses bad input with a <see cref="ThresholdException"/> that changes nothing.
/// A node joins key generation only for a user's sealed generate_key request, and signs only for a
/// sealed sign request naming the key and digest, arriving inside that user's channel with this node.
/// </summary>
public sealed class NodeService : IDisposable
{
    private readonly NodeOptions options;
    private readonly ILogger logger;
    private readonly OpaqueNode opaque;
    private readonly UserSessions sessions;
    private readonly Authorizations authorizations;
    private readonly ProtocolHost protocols;
    private readonly PendingTable<PendingRegistration> registrations;
    private readonly PendingTable<WaitingLogin> logins;
    private readonly ConcurrentDictionary<string, (string KeyId, DateTimeOffset At)> keygenRequests = new();
    private readonly SemaphoreSlim unlocking = new(1, 1);

    /// <summary>Creates the node.</summary>
    /// <param name="options">What it is made of.</param>
    /// <param name="logger">Refusals and aborts (ids and check names only); silent by default.</param>
    public NodeService(NodeOptions options, ILogger? logger = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.PendingLoginLifetime > options.LoginBudget.Policy.AttemptLifetime)
        {
            throw new ArgumentException("a login may wait for its KE3 at most as long as the budget keeps its attempt", nameof(options));
        }

        registrations = new PendingTable<PendingRegistration>(options.Time, options.PendingRegistrationLifetime, options.MaxPendingRegistrations);
        logins = new PendingTable<WaitingLogin>(options.Time, options.PendingLoginLifetime, options.MaxPendingLogins);
        this.logger = logger ?? NullLogger.Instance;
        opaque = new OpaqueNode(options.Identity.NodeId, options.Opaque, options.OpaqueSetup, options.Users, RandomNumberGenerator.Create());
        sessions = new UserSessions(options.Time, options.SessionLifetime, options.IdleTimeout);
        authorizations = new Authorizations(options.Time);
        protocols = new ProtocolHost(options.Identity, options.Members, options.Vault, options.Primes, options.Level, RandomNumberGenerator.Create(), options.Time, options.Freshness) { Protocols = options.Protocols ?? throw new ArgumentException("the protocol suite is missing", nameof(options)) };
    }

    /// <summary>The node's name.</summary>
    public string NodeId => options.Identity.NodeId;

    /// <summary>The node's identity keys (system tests play a malicious node with them).</summary>
    internal NodeIdentity Identity => options.Identity;

    /// <summary>Logins waiting for their KE3 (bounded by <see cref="NodeOptions.MaxPendingLogins"/> and their lifetime).</summary>
    internal int PendingLogins => logins.Count;

    /// <summary>Registrations waiting for their upload.</summary>
    internal int PendingRegistrations => registrations.Count;
    /// <summary>Whether the node gets its state version published (and so whether it signs).</summary>
    public IStateFreshness Freshness => options.Freshness;

    /// <summary>Public facts about this node.</summary>
    public NodeInfo GetNodeInfo() => new()
    {
        NodeId = NodeId,
        Party = (uint)options.Identity.Party,
        IdentityKey = ByteString.CopyFrom(options.Identity.SigningPublicKey),
        AgreementKey = ByteString.CopyFrom(options.Identity.AgreementPublicKey),
        OpaqueServerKey = ByteString.CopyFrom(opaque.PublicKey.Serialize()),
    };

    /// <summary>OPAQUE registration, step 2: the node's response (user id checked for format and freshness).</summary>
    public NodeBytesResponse RegisterStart(NodeBytesRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var (response, pending) = opaque.StartRegistration(new NodeRegistrationRequest(NodeId, request.UserId, request.Payload.ToByteArray()));
            registrations.Put(request.UserId, pending);
            return new NodeBytesResponse { Payload = ByteString.CopyFrom(response.Response) };
        }
        catch (Exception e) when (e is RegistrationException or DecodingException)
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, e.Message);
        }
    }

    /// <summary>OPAQUE registration, step 4: stores the user's record.</summary>
    public async Task<NodeRegistrationAck> RegisterFinishAsync(Contracts.V1.NodeRegistrationUpload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (registrations.Take(upload.UserId) is not { } pending)
        {
            throw new ThresholdException(ErrorCode.FailedPrecondition, "no registration in progress for this user");
        }

        try
        {
            opaque.FinishRegistration(pending, new Opaque.Cluster.NodeRegistrationUpload(NodeId, upload.UserId, upload.Record.ToByteArray(), upload.SealedExportShare.ToByteArray()));
            await options.Vault.AuditAsync(upload.UserId, "register", "ok", "", cancellationToken).ConfigureAwait(false);
            return new NodeRegistrationAck();
        }
        catch (Exception e) when (e is RegistrationException or DecodingException)
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, e.Message);
        }
        finally
        {
            pending.Dispose();
        }
    }

    /// <summary>
    /// OPAQUE login, KE1 → KE2 (a fake one for unknown users). In this order: the request is checked
    /// (user id, attempt id, KE1) and refused before anything is charged or stored if malformed; the
    /// attempt is charged to the user's budget (once cluster-wide; refused with
    /// <see cref="ErrorCode.LoginLocked"/> when the budget is empty, storing nothing); only then is
    /// KE2 computed. The attempt is refunded only by a successful KE3: a client that learns from KE2
    /// that its guess was wrong simply never finishes, and must not get that guess free.
    /// </summary>
    public async Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var attempt = CheckLoginStart(request);
        var verdict = await options.LoginBudget.ChargeAsync(attempt, cancellationToken).ConfigureAwait(false);
        switch (verdict.Outcome)
        {
            case LoginAdmissionOutcome.Locked:
                var until = verdict.LockedUntil ?? options.Time.GetUtcNow();
                throw new ThresholdException(ErrorCode.LoginLocked, $"login locked until {until.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture)}") { LockedUntil = until };
            case LoginAdmissionOutcome.AlreadyServed:
                throw new ThresholdException(ErrorCode.FailedPrecondition, "this node already answered this login attempt");
            case LoginAdmissionOutcome.BindingMismatch:
                throw new ThresholdException(ErrorCode.InvalidArgument, "every KE1 of one login attempt must carry the same blinded element");
            case LoginAdmissionOutcome.Charged when verdict.TokensLeft == 0:
                await options.Vault.AuditAsync(attempt.User, "login", "budget spent", $"next attempt at {verdict.LockedUntil:O}", cancellationToken).ConfigureAwait(false);
                break;
        }

        try
        {
            var (response, pending) = opaque.StartLogin(new NodeLoginRequest(NodeId, request.UserId, request.Ke1.ToByteArray(), request.AttemptId.ToByteArray()));
            logins.Put(LoginKey(attempt.User, attempt.Id), new WaitingLogin(pending, attempt));
            return new NodeLoginStartResponse { Ke2 = ByteString.CopyFrom(response.KE2), SealedExportShare = ByteString.CopyFrom(response.SealedExportShare) };
        }
        catch (DecodingException e)
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, e.Message);
        }
    }

    /// <summary>OPAQUE login, KE3: on success opens the user's channel with this node and gives the attempt back.</summary>
    public async Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.AttemptId.Length != LoginAttempt.IdLength || !Opaque.Cluster.UserId.TryParse(request.UserId, out _))
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, $"a login names a {Opaque.Cluster.UserId.TextLength}-character user id and a {LoginAttempt.IdLength}-byte attempt id");
        }

        if (logins.Take(LoginKey(request.UserId, request.AttemptId.Span)) is not { } waiting)
        {
            throw new ThresholdException(ErrorCode.Unauthenticated, "login failed");
        }

        using (waiting)
        {
            try
            {
                using var session = opaque.FinishLogin(waiting.Login, new NodeLoginFinish(NodeId, request.UserId, request.Ke3.ToByteArray()));
                var opened = sessions.Open(request.UserId, session.SessionKey.Span, NodeId);
                await options.LoginBudget.RefundAsync(waiting.Attempt, cancellationToken).ConfigureAwait(false);
                await options.Vault.AuditAsync(request.UserId, "login", "ok", "", cancellationToken).ConfigureAwait(false);
                return new NodeLoginFinishResponse { SessionId = ByteString.CopyFrom(opened.SessionId), ExpiresAtUnixMs = opened.ExpiresAt.ToUnixTimeMilliseconds() };
            }
            catch (OpaqueAuthenticationException)
            {
                await options.Vault.AuditAsync(request.UserId, "login", "failed", "", cancellationToken).ConfigureAwait(false);
                throw new ThresholdException(ErrorCode.Unauthenticated, "login failed");
            }
        }
    }

    /// <summary>
    /// Applies the operator unlocks journalled in the consensus store that this node has not applied yet:
    /// clears its own limit for each user and records the unlock in its hash-chained audit log. The node
    /// runtime calls it every second; returns how many it applied.
    /// </summary>
    public async Task<int> ApplyLoginUnlocksAsync(CancellationToken cancellationToken)
    {
        // One caller at a time, so that no unlock is audited twice.
        await unlocking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var applied = 0;
            foreach (var unlock in await options.LoginBudget.UnappliedUnlocksAsync(cancellationToken).ConfigureAwait(false))
            {
                var reason = unlock.Reason.Length > 1000 ? unlock.Reason[..1000] + "…" : unlock.Reason;
                await options.Vault.AuditAsync(unlock.User, "login_unlock", "ok", $"unlock #{unlock.Sequence} at {unlock.At:O} by {unlock.By}: {reason}", cancellationToken).ConfigureAwait(false);
                await options.LoginBudget.MarkAppliedAsync(unlock, cancellationToken).ConfigureAwait(false);
                applied++;
            }

            return applied;
        }
        finally
        {
            unlocking.Release();
        }
    }

    /// <summary>
    /// A user's sealed request (generate_key, get_public_key, logout; a sign request travels with
    /// <see cref="PartialSignAsync"/>). The reply is sealed too. A request the channel refuses (wrong
    /// session, replayed, forged) changes nothing and is answered with an error, not a sealed reply.
    /// </summary>
    public async Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var (_, _, sealedReply) = await OpenSealedAsync(envelope, HandleAsync, cancellationToken).ConfigureAwait(false);
        return sealedReply;
    }

    /// <summary>
    /// Opens <paramref name="envelope"/> in its user's channel, lets <paramref name="handle"/> answer it,
    /// and seals the answer; one request at a time per session, so counters stay in order. A logout
    /// that was accepted closes the session after its reply is sealed.
    /// </summary>
    private async Task<(ChannelRequest Request, ChannelReply Reply, ChannelEnvelope Sealed)> OpenSealedAsync(
        ChannelEnvelope envelope, Func<UserSession, ChannelRequest, CancellationToken, Task<ChannelReply>> handle, CancellationToken cancellationToken)
    {
        var session = sessions.Find(envelope.SessionId.Span) ?? throw new ThresholdException(ErrorCode.Unauthenticated, "no such session");
        await session.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ChannelRequest request;
            try
            {
                request = session.Channel.Open(envelope, ChannelRequest.Parser);
            }
            catch (ChannelException e)
            {
                throw new ThresholdException(ErrorCode.PermissionDenied, e.Message);
            }

            session.LastActivity = options.Time.GetUtcNow();
            var reply = await handle(session, request, cancellationToken).ConfigureAwait(false);
            var sealedReply = session.Channel.Seal(reply);
            if (request.OperationCase == ChannelRequest.OperationOneofCase.Logout && reply.Accepted)
            {
                sessions.Close(session);
            }

            return (request, reply, sealedReply);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>Starts a protocol session: key generation and aux-info only for an authorised request of the owner.</summary>
    public async Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (request.Kind)
        {
            case ProtocolKind.Keygen:
                var parties = request.Parties.Select(p => (int)p).Order().ToList();
                if (!parties.SequenceEqual(options.Members.Members.Select(m => m.Party)) || request.Threshold != options.Members.Threshold)
                {
                    throw new ThresholdException(ErrorCode.InvalidArgument, "key generation involves every node at the cluster's threshold");
                }

                var authorized = authorizations.Consume(request.RequestId.Span, a =>
                    a.UserId == request.Owner && a.Request.GenerateKey is { } g && g.Curve == request.Curve)
                    ?? throw new ThresholdException(ErrorCode.PermissionDenied, "no matching generate_key request from this user");
                ForgetAbandonedKeygens();
                keygenRequests[Convert.ToHexStringLower(request.RequestId.Span)] = (request.KeyId, options.Time.GetUtcNow());
                await options.Vault.AuditAsync(authorized.UserId, "generate_key", "started", request.KeyId, cancellationToken).ConfigureAwait(false);
                break;
            case ProtocolKind.AuxInfo:
                if (!keygenRequests.TryRemove(Convert.ToHexStringLower(request.RequestId.Span), out var started) || started.KeyId != request.KeyId)
                {
                    throw new ThresholdException(ErrorCode.PermissionDenied, "aux-info runs only right after the key generation it belongs to");
                }

                break;
            case ProtocolKind.Presign:
                break;
            default:
                throw new ThresholdException(ErrorCode.InvalidArgument, "unknown protocol");
        }

        return Logged(request.Kind, await protocols.StartAsync(request, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Delivers round messages to a running protocol session.</summary>
    public async Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken) =>
        Logged(null, await protocols.DeliverAsync(request, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Signs with one presignature for the user's sign request, in one round trip. With a sealed request,
    /// the node first opens it in the user's channel and records it (refusing a request that is malformed,
    /// expired, replayed, not for this key id or not the key owner's: the response then carries only the
    /// sealed refusal); without one, it uses a request it opened before (a sign request allows two
    /// partial signatures, so the aggregator can hedge a slow signer). Then the authorisation is consumed
    /// and the presignature removed from storage, the store's new state version is made durable in the
    /// consensus store (<see cref="NodeOptions.Freshness"/>), and only then is the partial signature
    /// computed. If the version cannot be published the node refuses (<see cref="ErrorCode.Unavailable"/>,
    /// or <see cref="ErrorCode.FailedPrecondition"/> when fenced) and the presignature stays used up: a
    /// copy of the database from before the take is then still recognised as old, because the take never
    /// led to an output.
    /// </summary>
    public async Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ChannelEnvelope? sealedReply = null;
        if (request.SealedRequest is { } envelope)
        {
            (_, var reply, sealedReply) = await OpenSealedAsync(envelope, (session, opened, ct) => HandleSignAsync(session, opened, request, ct), cancellationToken).ConfigureAwait(false);
            if (!reply.Accepted)
            {
                return new PartialSignResponse { Party = (uint)options.Identity.Party, Reply = sealedReply };
            }
        }

        var key = await options.Vault.FindKeyAsync(request.KeyId, cancellationToken).ConfigureAwait(false)
            ?? throw new ThresholdException(ErrorCode.NotFound, "no such key");
        var authorized = authorizations.Consume(request.RequestId.Span, a =>
            a.UserId == key.Owner && a.Request.Sign is { } s && s.KeyId == request.KeyId)
            ?? throw new ThresholdException(ErrorCode.PermissionDenied, "no matching sign request from the key's owner");
        using var presignature = await options.Vault.TakePresignatureAsync(request.KeyId, request.PresignatureId.ToByteArray(), cancellationToken).ConfigureAwait(false)
            ?? throw new ThresholdException(ErrorCode.NotFound, "no such presignature");
        if (!presignature.Commitments.PublicKey.Equals(key.PublicKey))
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, "presignature of another key");
        }

        try
        {
            await options.Freshness.PublishBeforeIrreversibleOutputAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ThresholdException e)
        {
            NodeLog.SignRefused(logger, NodeId, request.KeyId, e.Message);
            await AuditRefusalAsync(authorized.UserId, request.KeyId).ConfigureAwait(false);
            throw;
        }

        var partial = presignature.Sign(authorized.Request.Sign.Digest.Span);
        await options.Vault.AuditAsync(authorized.UserId, "sign", "ok", $"{request.KeyId} {Convert.ToHexStringLower(authorized.Request.Sign.Digest.Span)}", cancellationToken).ConfigureAwait(false);
        return new PartialSignResponse { Party = (uint)partial.Party, Sigma = ByteString.CopyFrom(partial.Sigma.Encode()), Digest = authorized.Request.Sign.Digest, Reply = sealedReply };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        registrations.Dispose();
        logins.Dispose();
        unlocking.Dispose();
    }

    /// <summary>Audits a refused signature; best effort, since what made it fail may be the store itself.</summary>
    private async Task AuditRefusalAsync(string userId, string keyId)
    {
        try
        {
            await options.Vault.AuditAsync(userId, "sign", "refused: state version not published", keyId, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            NodeLog.AuditFailed(logger, NodeId, e.GetType().Name);
        }
    }

    /// <summary>Logs a step that aborted, naming the culprits by node, party and check (no evidence, no reason text).</summary>
    private ProtocolStep Logged(ProtocolKind? kind, ProtocolStep step)
    {
        if (step.Status == ProtocolStatus.Aborted && logger.IsEnabled(LogLevel.Warning))
        {
            var culprits = string.Join(", ", step.Culprits.Select(c => $"{c.NodeId} (party {c.Party}, {c.Check})"));
            NodeLog.ProtocolAborted(logger, NodeId, kind?.ToString() ?? "protocol", Convert.ToHexStringLower(step.SessionId.Span), culprits.Length == 0 ? "none named" : culprits);
        }

        return step;
    }

    /// <summary>Drops key generations whose aux-info never followed (abandoned as protocol runs are).</summary>
    private void ForgetAbandonedKeygens()
    {
        var cutoff = options.Time.GetUtcNow() - ProtocolHost.AbandonedAfter;
        foreach (var (requestId, started) in keygenRequests)
        {
            if (started.At < cutoff)
            {
                keygenRequests.TryRemove(requestId, out _);
            }
        }
    }

    /// <summary>
    /// A sealed request that came with a partial-signature call: it must be a sign request with the call's
    /// request id and key id (so the aggregator cannot pair a user's request with another key or id).
    /// </summary>
    private Task<ChannelReply> HandleSignAsync(UserSession session, ChannelRequest opened, PartialSignRequest call, CancellationToken cancellationToken) =>
        opened.OperationCase != ChannelRequest.OperationOneofCase.Sign || opened.RequestId != call.RequestId || opened.Sign.KeyId != call.KeyId
            ? Task.FromResult(new ChannelReply { RequestId = opened.RequestId, Error = "the sealed request is not this sign request" })
            : HandleOpenedAsync(session, opened, cancellationToken);

    private Task<ChannelReply> HandleAsync(UserSession session, ChannelRequest request, CancellationToken cancellationToken) =>
        request.OperationCase == ChannelRequest.OperationOneofCase.Sign
            ? Task.FromResult(new ChannelReply { RequestId = request.RequestId, Error = "a sign request travels with its partial-signature call" })
            : HandleOpenedAsync(session, request, cancellationToken);

    private async Task<ChannelReply> HandleOpenedAsync(UserSession session, ChannelRequest request, CancellationToken cancellationToken)
    {
        var reply = new ChannelReply { RequestId = request.RequestId };
        var now = options.Time.GetUtcNow();
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(request.ExpiresAtUnixMs, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
        if (request.RequestId.Length != 16 || expires <= now || expires > now + options.MaxRequestLifetime)
        {
            reply.Error = "request id must be 16 bytes and expiry within the allowed window";
            return reply;
        }

        switch (request.OperationCase)
        {
            case ChannelRequest.OperationOneofCase.GenerateKey when request.GenerateKey.Curve is Curve.Secp256K1 or Curve.P256:
                break;
            case ChannelRequest.OperationOneofCase.Sign when request.Sign.Digest.Length == 32:
            case ChannelRequest.OperationOneofCase.GetPublicKey:
                var keyId = request.OperationCase == ChannelRequest.OperationOneofCase.Sign ? request.Sign.KeyId : request.GetPublicKey.KeyId;
                var key = await options.Vault.FindKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
                if (key is null || key.Owner != session.UserId)
                {
                    reply.Error = "no such key";
                    return reply;
                }

                reply.KeyId = keyId;
                reply.PublicKey = ByteString.CopyFrom(key.PublicKey.Encode());
                reply.Curve = Protocols.Curves.ToWire(key.Curve);
                if (request.OperationCase == ChannelRequest.OperationOneofCase.GetPublicKey)
                {
                    reply.Accepted = true;
                    return reply;
                }

                break;
            case ChannelRequest.OperationOneofCase.Logout:
                reply.Accepted = true;
                await options.Vault.AuditAsync(session.UserId, "logout", "ok", "", cancellationToken).ConfigureAwait(false);
                return reply;
            default:
                reply.Error = "malformed request";
                return reply;
        }

        if (!authorizations.Add(new Authorization(session.UserId, request, expires)))
        {
            reply.Error = "request id already used";
            return reply;
        }

        reply.Accepted = true;
        return reply;
    }

    /// <summary>
    /// Everything a LoginStart must be before it may cost the user anything: a well-formed user id (the
    /// format every node registers, 32 lowercase hex characters, far inside the consensus store's limit),
    /// a 16-byte attempt id and a KE1 that decodes (every element valid). The attempt's binding is a digest
    /// of the OPRF blinded element, which all KE1s of one attempt share.
    /// </summary>
    private LoginAttempt CheckLoginStart(NodeLoginStartRequest request)
    {
        if (!Opaque.Cluster.UserId.TryParse(request.UserId, out var userId))
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, $"a user id is {Opaque.Cluster.UserId.TextLength} lowercase hexadecimal characters");
        }

        if (request.AttemptId.Length != LoginAttempt.IdLength)
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, $"an attempt id is {LoginAttempt.IdLength} bytes");
        }

        Opaque.Messages.KE1 ke1;
        try
        {
            ke1 = Opaque.Messages.KE1.Deserialize(options.Opaque.Suite, request.Ke1.Span);
        }
        catch (DecodingException e)
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, e.Message);
        }

        Span<byte> binding = stackalloc byte[LoginAttempt.BindingLength];
        SHA256.HashData([.. "threshold.login.binding.v1"u8, .. ke1.BlindedMessage.Serialize()], binding);
        return new LoginAttempt(userId.ToString(), request.AttemptId.Span, binding, NodeId);
    }

    private static string LoginKey(string userId, ReadOnlySpan<byte> attemptId) => $"{userId}/{Convert.ToHexStringLower(attemptId)}";

    /// <summary>A login between KE2 and KE3: the OPAQUE state and the attempt it was charged as.</summary>
    private sealed class WaitingLogin(PendingLogin login, LoginAttempt attempt) : IDisposable
    {
        public PendingLogin Login { get; } = login;

        public LoginAttempt Attempt { get; } = attempt;

        public void Dispose() => Login.Dispose();
    }
}
