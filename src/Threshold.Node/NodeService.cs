using System.Collections.Concurrent;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Threshold.Channels;
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

    /// <summary>The failed-login budget.</summary>
    public required ILoginBudget LoginBudget { get; init; }

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

    /// <summary>Makes this node a malicious signer in presigning (system tests of blame); null always in production.</summary>
    internal Threshold.Cggmp.Presigning.PresignFaults? PresignFaults { get; init; }
}

/// <summary>
/// One key-server node, transport-agnostic: every method takes and returns the node API's messages
/// (threshold.v1.Node) and refuses bad input with a <see cref="NodeException"/> that changes nothing.
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
    private readonly ConcurrentDictionary<string, PendingRegistration> registrations = new();
    private readonly ConcurrentDictionary<string, PendingLogin> logins = new();
    private readonly ConcurrentDictionary<string, (string KeyId, DateTimeOffset At)> keygenRequests = new();

    /// <summary>Creates the node.</summary>
    /// <param name="options">What it is made of.</param>
    /// <param name="logger">Refusals and aborts (ids and check names only); silent by default.</param>
    public NodeService(NodeOptions options, ILogger? logger = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        this.logger = logger ?? NullLogger.Instance;
        opaque = new OpaqueNode(options.Identity.NodeId, options.Opaque, options.OpaqueSetup, options.Users, RandomNumberGenerator.Create());
        sessions = new UserSessions(options.Time, options.SessionLifetime, options.IdleTimeout);
        authorizations = new Authorizations(options.Time);
        protocols = new ProtocolHost(options.Identity, options.Members, options.Vault, options.Primes, options.Level, RandomNumberGenerator.Create(), options.Time) { PresignFaults = options.PresignFaults };
    }

    /// <summary>The node's name.</summary>
    public string NodeId => options.Identity.NodeId;

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
            Replace(registrations, request.UserId, pending);
            return new NodeBytesResponse { Payload = ByteString.CopyFrom(response.Response) };
        }
        catch (Exception e) when (e is RegistrationException or DecodingException)
        {
            throw new NodeException(NodeErrorKind.InvalidArgument, e.Message);
        }
    }

    /// <summary>OPAQUE registration, step 4: stores the user's record.</summary>
    public async Task<NodeRegistrationAck> RegisterFinishAsync(Contracts.V1.NodeRegistrationUpload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (!registrations.TryRemove(upload.UserId, out var pending))
        {
            throw new NodeException(NodeErrorKind.FailedPrecondition, "no registration in progress for this user");
        }

        try
        {
            opaque.FinishRegistration(pending, new Opaque.Cluster.NodeRegistrationUpload(NodeId, upload.UserId, upload.Record.ToByteArray(), upload.SealedExportShare.ToByteArray()));
            await options.Vault.AuditAsync(upload.UserId, "register", "ok", "", cancellationToken).ConfigureAwait(false);
            return new NodeRegistrationAck();
        }
        catch (Exception e) when (e is RegistrationException or DecodingException)
        {
            throw new NodeException(NodeErrorKind.InvalidArgument, e.Message);
        }
        finally
        {
            pending.Dispose();
        }
    }

    /// <summary>
    /// OPAQUE login, KE1 → KE2 (a fake one for unknown users); refused once the user's budget is spent.
    /// The attempt is charged to the budget before KE2 exists and refunded only by a successful KE3: a
    /// client that learns from KE2 that its guess was wrong simply never finishes, and must not get that
    /// guess free.
    /// </summary>
    public async Task<NodeLoginStartResponse> LoginStartAsync(NodeBytesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!await options.LoginBudget.TryChargeAsync(request.UserId, cancellationToken).ConfigureAwait(false))
        {
            await options.Vault.AuditAsync(request.UserId, "login", "refused: budget spent", "", cancellationToken).ConfigureAwait(false);
            throw new NodeException(NodeErrorKind.ResourceExhausted, "too many failed logins");
        }

        try
        {
            var (response, pending) = opaque.StartLogin(new NodeLoginRequest(NodeId, request.UserId, request.Payload.ToByteArray()));
            Replace(logins, request.UserId, pending);
            return new NodeLoginStartResponse { Ke2 = ByteString.CopyFrom(response.KE2), SealedExportShare = ByteString.CopyFrom(response.SealedExportShare) };
        }
        catch (DecodingException e)
        {
            throw new NodeException(NodeErrorKind.InvalidArgument, e.Message);
        }
    }

    /// <summary>OPAQUE login, KE3: on success opens the user's channel with this node.</summary>
    public async Task<NodeLoginFinishResponse> LoginFinishAsync(NodeBytesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!logins.TryRemove(request.UserId, out var pending))
        {
            throw new NodeException(NodeErrorKind.Unauthenticated, "login failed");
        }

        try
        {
            using var session = opaque.FinishLogin(pending, new NodeLoginFinish(NodeId, request.UserId, request.Payload.ToByteArray()));
            var opened = sessions.Open(request.UserId, session.SessionKey.Span, NodeId);
            await options.LoginBudget.ResetAsync(request.UserId, cancellationToken).ConfigureAwait(false);
            await options.Vault.AuditAsync(request.UserId, "login", "ok", "", cancellationToken).ConfigureAwait(false);
            return new NodeLoginFinishResponse { SessionId = ByteString.CopyFrom(opened.SessionId), ExpiresAtUnixMs = opened.ExpiresAt.ToUnixTimeMilliseconds() };
        }
        catch (OpaqueAuthenticationException)
        {
            await options.Vault.AuditAsync(request.UserId, "login", "failed", "", cancellationToken).ConfigureAwait(false);
            throw new NodeException(NodeErrorKind.Unauthenticated, "login failed");
        }
        finally
        {
            pending.Dispose();
        }
    }

    /// <summary>
    /// A user's sealed request. The reply is sealed too. A request the channel refuses (wrong session,
    /// replayed, forged) changes nothing and is answered with an error, not a sealed reply.
    /// </summary>
    public async Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var session = sessions.Find(envelope.SessionId.Span) ?? throw new NodeException(NodeErrorKind.Unauthenticated, "no such session");
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
                throw new NodeException(NodeErrorKind.PermissionDenied, e.Message);
            }

            session.LastActivity = options.Time.GetUtcNow();
            var reply = await HandleAsync(session, request, cancellationToken).ConfigureAwait(false);
            var sealedReply = session.Channel.Seal(reply);
            if (request.OperationCase == ChannelRequest.OperationOneofCase.Logout && reply.Accepted)
            {
                sessions.Close(session);
            }

            return sealedReply;
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
                    throw new NodeException(NodeErrorKind.InvalidArgument, "key generation involves every node at the cluster's threshold");
                }

                var authorized = authorizations.Consume(request.RequestId.Span, a =>
                    a.UserId == request.Owner && a.Request.GenerateKey is { } g && g.Curve == request.Curve)
                    ?? throw new NodeException(NodeErrorKind.PermissionDenied, "no matching generate_key request from this user");
                ForgetAbandonedKeygens();
                keygenRequests[Convert.ToHexStringLower(request.RequestId.Span)] = (request.KeyId, options.Time.GetUtcNow());
                await options.Vault.AuditAsync(authorized.UserId, "generate_key", "started", request.KeyId, cancellationToken).ConfigureAwait(false);
                break;
            case ProtocolKind.AuxInfo:
                if (!keygenRequests.TryRemove(Convert.ToHexStringLower(request.RequestId.Span), out var started) || started.KeyId != request.KeyId)
                {
                    throw new NodeException(NodeErrorKind.PermissionDenied, "aux-info runs only right after the key generation it belongs to");
                }

                break;
            case ProtocolKind.Presign:
                break;
            default:
                throw new NodeException(NodeErrorKind.InvalidArgument, "unknown protocol");
        }

        return Logged(request.Kind, await protocols.StartAsync(request, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Delivers round messages to a running protocol session.</summary>
    public async Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken) =>
        Logged(null, await protocols.DeliverAsync(request, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Signs with one presignature for an authorised sign request: the authorisation is consumed and the
    /// presignature removed from storage, then the store's new state version is made durable in the
    /// consensus store (<see cref="NodeOptions.Freshness"/>), and only then is the partial signature
    /// computed and returned. If the version cannot be published the node refuses
    /// (<see cref="NodeErrorKind.Unavailable"/>, or <see cref="NodeErrorKind.FailedPrecondition"/> when
    /// fenced) and the presignature stays used up: a copy of the database from before the take is then
    /// still recognised as old, because the take never led to an output.
    /// </summary>
    public async Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var key = await options.Vault.FindKeyAsync(request.KeyId, cancellationToken).ConfigureAwait(false)
            ?? throw new NodeException(NodeErrorKind.NotFound, "no such key");
        var authorized = authorizations.Consume(request.RequestId.Span, a =>
            a.UserId == key.Owner && a.Request.Sign is { } s && s.KeyId == request.KeyId)
            ?? throw new NodeException(NodeErrorKind.PermissionDenied, "no matching sign request from the key's owner");
        using var presignature = await options.Vault.TakePresignatureAsync(request.KeyId, request.PresignatureId.ToByteArray(), cancellationToken).ConfigureAwait(false)
            ?? throw new NodeException(NodeErrorKind.NotFound, "no such presignature");
        if (!presignature.Commitments.PublicKey.Equals(key.PublicKey))
        {
            throw new NodeException(NodeErrorKind.InvalidArgument, "presignature of another key");
        }

        try
        {
            await options.Freshness.PublishBeforeIrreversibleOutputAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NodeException e)
        {
            NodeLog.SignRefused(logger, NodeId, request.KeyId, e.Message);
            await AuditRefusalAsync(authorized.UserId, request.KeyId).ConfigureAwait(false);
            throw;
        }

        var partial = presignature.Sign(authorized.Request.Sign.Digest.Span);
        await options.Vault.AuditAsync(authorized.UserId, "sign", "ok", $"{request.KeyId} {Convert.ToHexStringLower(authorized.Request.Sign.Digest.Span)}", cancellationToken).ConfigureAwait(false);
        return new PartialSignResponse { Party = (uint)partial.Party, Sigma = ByteString.CopyFrom(partial.Sigma.Encode()) };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var p in registrations.Values)
        {
            p.Dispose();
        }

        foreach (var p in logins.Values)
        {
            p.Dispose();
        }
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

    private async Task<ChannelReply> HandleAsync(UserSession session, ChannelRequest request, CancellationToken cancellationToken)
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

    private static void Replace<T>(ConcurrentDictionary<string, T> pending, string userId, T value)
        where T : IDisposable
    {
        pending.AddOrUpdate(userId, value, (_, old) =>
        {
            old.Dispose();
            return value;
        });
    }
}
