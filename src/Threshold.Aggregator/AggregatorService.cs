using System.Collections.Concurrent;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Signing;
using Threshold.Contracts.V1;
using Threshold.Curves;
using Threshold.Node;
using Threshold.Node.Protocols;
using Threshold.Paillier;
using Threshold.Rounds;
using Threshold.Rounds.Signing;

namespace Threshold.Aggregator;

/// <summary>What the wallet API answers with when it cannot serve a request (mapped to RPC statuses by the host).</summary>
public enum WalletErrorKind
{
    /// <summary>Malformed or inconsistent request.</summary>
    InvalidArgument,

    /// <summary>Not enough nodes reachable.</summary>
    Unavailable,

    /// <summary>A node refused on behalf of the user's authorisation.</summary>
    PermissionDenied,

    /// <summary>Too many nodes know no open session for the request (it expired, was logged out, or never was): log in again.</summary>
    Unauthenticated,
}

/// <summary>The wallet API refused a request.</summary>
public sealed class WalletException(WalletErrorKind kind, string message) : Exception(message)
{
    /// <summary>Why.</summary>
    public WalletErrorKind Kind { get; } = kind;
}

/// <summary>How the aggregator runs.</summary>
public sealed record AggregatorOptions
{
    /// <summary>Every node, reachable through its client.</summary>
    public required IReadOnlyList<INodeClient> Nodes { get; init; }

    /// <summary>
    /// Every node as configured (id, party, identity, agreement and OPAQUE keys), one per client in
    /// <see cref="Nodes"/> by node id. The aggregator describes the cluster from these, not from calls,
    /// so it starts while nodes are down; a node is used once it answers with these keys.
    /// </summary>
    public required IReadOnlyList<NodeDescriptor> Members { get; init; }

    /// <summary>t.</summary>
    public required int Threshold { get; init; }

    /// <summary>Deadline of each call to a node (a protocol step, a login step).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many presignatures to keep ready per key at least (0, with no maximum set, turns the pool off).</summary>
    public int PoolTarget { get; init; } = 4;

    /// <summary>How many at most, however fast a key signs (null: 64, or 0 when <see cref="PoolTarget"/> is 0).</summary>
    public int? PoolMaxTarget { get; init; }

    /// <summary>Background presigning runs in flight at once per key (capped by the number of t-of-n signer sets).</summary>
    public int PoolConcurrentRuns { get; init; } = 2;

    /// <summary>The pool's supply settings these options give.</summary>
    public PresignatureSupplyOptions PoolSupply => new()
    {
        MinTarget = PoolTarget,
        MaxTarget = PoolMaxTarget ?? (PoolTarget == 0 ? 0 : Math.Max(64, PoolTarget)),
        ConcurrentRuns = PoolConcurrentRuns,
    };

    /// <summary>The cluster's curves and OPAQUE suite, for discovery.</summary>
    public string OpaqueSuite { get; init; } = "ristretto255-SHA512";

    /// <summary>How often a reachable node is probed (unreachable ones: with backoff from 1 s to 30 s).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one probe may take.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock of probes and their backoff, and of the protocol session ids it issues.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The cluster's Paillier level (the nodes bind it into every aux-info run; the aggregator needs it to judge them).</summary>
    public SecurityLevel Level { get; init; } = SecurityLevel.Bits2048;
}

/// <summary>
/// The aggregator (threshold.v1.Wallet): relays OPAQUE flows and sealed requests to the nodes, runs key
/// generation, aux-info, presigning and signing across them, keeps every key's presignature pool filled
/// in the background, combines and verifies signatures, and reports culprits with evidence. It is
/// trusted for availability only: it never sees a share, a password or a channel's plaintext.
/// </summary>
public sealed class AggregatorService : IAsyncDisposable
{
    private readonly AggregatorOptions options;
    private readonly ILogger logger;
    private readonly ProtocolDriver driver;
    private readonly PresignaturePool pool = new();
    private readonly SignerSelection selection;
    private readonly PresignatureSupply supply;
    private Dictionary<int, INodeClient> byParty = [];
    private Dictionary<string, int> partyOf = [];
    private ClusterInfo info = new();
    private NodeReachability? reachability;
    private EcdsaPartyKeys? directory;
    private double partialRoundTripMs = 25; // moving average of a complete set of partial signatures

    /// <summary>The least a quorum call waits for nodes beyond the quorum.</summary>
    internal static readonly TimeSpan MinGrace = TimeSpan.FromMilliseconds(25);

    /// <summary>The most a quorum call waits for nodes beyond the quorum (a login waits up to four times as long: it wants every node it can get).</summary>
    internal static readonly TimeSpan MaxGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>Creates the aggregator; call <see cref="InitializeAsync"/> before serving.</summary>
    /// <param name="options">The cluster and settings.</param>
    /// <param name="logger">Node reachability and failed runs (ids and check names only); silent by default.</param>
    public AggregatorService(AggregatorOptions options, ILogger? logger = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        this.logger = logger ?? NullLogger.Instance;
        driver = new ProtocolDriver(options.CallTimeout, Reached, Unreached);
        selection = new SignerSelection(options.Threshold);
        supply = new PresignatureSupply(
            pool,
            (keyId, ct) => PresignAmongAsync(keyId, ReachableParties(), ct),
            selection.Trusted,
            ReachableParties,
            PresignatureSupply.SignerSets(options.Nodes.Count, options.Threshold),
            options.PoolSupply);
    }

    /// <summary>Which nodes are reachable (after <see cref="InitializeAsync"/>).</summary>
    public NodeReachability Reachability => reachability ?? throw new InvalidOperationException("not initialised");

    /// <summary>The presignature pool (for monitoring and tests).</summary>
    public PresignaturePool Pool => pool;

    /// <summary>What keeps the pool supplied: per-key status and counters (for monitoring and benchmarks).</summary>
    public PresignatureSupply Supply => supply;

    /// <summary>
    /// Whether pools are topped up in the background after key generation and after every signature
    /// (default). An operator may pause it, for instance to keep the cores for signing during a burst.
    /// </summary>
    public bool BackgroundPresigning
    {
        get => supply.Enabled;
        set => supply.Enabled = value;
    }

    /// <summary>Fills <paramref name="keyId"/>'s pool up to <paramref name="target"/> now (for warm-up before a burst).</summary>
    public Task WarmUpAsync(string keyId, int target, CancellationToken cancellationToken) => supply.WarmUpAsync(keyId, target, cancellationToken);

    /// <summary>
    /// Describes the cluster from <see cref="AggregatorOptions.Members"/>, probes every node once (each
    /// probe bounded by <see cref="AggregatorOptions.ProbeTimeout"/>) and keeps probing in the background.
    /// Nodes that are down are reported, not fatal: operations use the reachable ones.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var clients = options.Nodes.ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        var members = options.Members.OrderBy(m => m.Party).ToList();
        if (members.Count != clients.Count || members.Any(m => !clients.ContainsKey(m.NodeId)) || members.Select(m => m.Party).Distinct().Count() != members.Count)
        {
            throw new ArgumentException("every node needs exactly one configured description, with a party index of its own", nameof(options));
        }

        byParty = members.ToDictionary(m => (int)m.Party, m => clients[m.NodeId]);
        partyOf = members.ToDictionary(m => m.NodeId, m => (int)m.Party);
        info = new ClusterInfo
        {
            Version = "threshold.v1",
            Threshold = (uint)options.Threshold,
            NodesTotal = (uint)members.Count,
            OpaqueSuite = options.OpaqueSuite,
            Curves = { Contracts.V1.Curve.Secp256K1, Contracts.V1.Curve.P256 },
        };
        info.Nodes.AddRange(members.Select(m => new NodeDescriptor
        {
            NodeId = m.NodeId,
            Party = m.Party,
            IdentityKey = m.IdentityKey,
            AgreementKey = m.AgreementKey,
            OpaqueServerKey = m.OpaqueServerKey,
        }));
        info.Fingerprint = Threshold.Node.Identity.ClusterMembers.FingerprintOf(members.Select(m => m.IdentityKey.ToByteArray()));
        directory = new EcdsaPartyKeys(members.ToDictionary(m => (int)m.Party, m => m.IdentityKey.ToByteArray()));
        reachability = new NodeReachability(members.Select(m => (clients[m.NodeId], m)), options.ProbeInterval, options.ProbeTimeout, options.Time, logger);
        await reachability.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>See threshold.v1.Wallet.GetClusterInfo: the configured cluster, with each node's reachability now.</summary>
    public ClusterInfo GetClusterInfo()
    {
        var now = info.Clone();
        foreach (var node in now.Nodes)
        {
            node.Reachable = reachability?.IsReachable(node.NodeId) ?? false;
        }

        now.NodesReachable = (uint)now.Nodes.Count(n => n.Reachable);
        return now;
    }

    /// <summary>See threshold.v1.Wallet.RegisterStart: every node must take part.</summary>
    public async Task<RegisterStartResponse> RegisterStartAsync(RegisterStartRequest request, CancellationToken cancellationToken)
    {
        CheckUserId(request.UserId);
        var perNode = EveryNode(request.Requests.Select(r => (r.NodeId, r)));
        var responses = await AllAsync(perNode, (node, r, ct) => node.RegisterStartAsync(new NodeBytesRequest { UserId = request.UserId, Payload = r.Payload }, ct), cancellationToken).ConfigureAwait(false);
        var result = new RegisterStartResponse();
        result.Responses.AddRange(responses.Select(e => new NodeBytes { NodeId = e.Key, Payload = e.Value.Payload }));
        return result;
    }

    /// <summary>See threshold.v1.Wallet.RegisterFinish: every node stores its record.</summary>
    public async Task<RegisterFinishResponse> RegisterFinishAsync(RegisterFinishRequest request, CancellationToken cancellationToken)
    {
        CheckUserId(request.UserId);
        var perNode = EveryNode(request.Uploads.Select(u => (u.NodeId, u)));
        var acks = await AllAsync(perNode, (node, u, ct) => node.RegisterFinishAsync(new NodeRegistrationUpload { UserId = request.UserId, Record = u.Record, SealedExportShare = u.SealedExportShare }, ct), cancellationToken).ConfigureAwait(false);
        var result = new RegisterFinishResponse();
        result.RegisteredNodes.AddRange(acks.Keys.Order(StringComparer.Ordinal));
        return result;
    }

    /// <summary>
    /// See threshold.v1.Wallet.LoginStart: checks the user id and attempt id (a malformed request reaches
    /// no node), then relays KE1 to each named node; nodes that refuse because the user's budget is empty
    /// are listed with the time it refills, unreachable or otherwise refusing nodes as unavailable.
    /// </summary>
    public async Task<LoginStartResponse> LoginStartAsync(LoginStartRequest request, CancellationToken cancellationToken)
    {
        CheckLogin(request.UserId, request.AttemptId, request.Ke1.Count);
        var result = new LoginStartResponse();
        var errors = new Dictionary<string, NodeCallException?>();
        var outcomes = await EachAsync(
            Known(request.Ke1.Select(k => (k.NodeId, k))),
            (node, k, ct) => node.LoginStartAsync(new NodeLoginStartRequest { UserId = request.UserId, AttemptId = request.AttemptId, Ke1 = k.Payload }, ct),
            cancellationToken,
            errors: errors,
            quorum: options.Threshold,
            graceFactor: 4).ConfigureAwait(false);
        foreach (var (nodeId, response) in outcomes)
        {
            if (response is not null)
            {
                result.Responses.Add(new LoginResponseFromNode { NodeId = nodeId, Ke2 = response.Ke2, SealedExportShare = response.SealedExportShare });
            }
            else if (errors.GetValueOrDefault(nodeId) is { Kind: NodeErrorKind.LoginLocked, LockedUntil: { } until })
            {
                result.LockedNodes.Add(new LoginLocked { NodeId = nodeId, LockedUntilUnixMs = until.ToUnixTimeMilliseconds() });
            }
            else
            {
                result.UnavailableNodes.Add(nodeId);
            }
        }

        return result;
    }

    /// <summary>See threshold.v1.Wallet.LoginFinish: relays KE3; each node that authenticates opens a session.</summary>
    public async Task<LoginFinishResponse> LoginFinishAsync(LoginFinishRequest request, CancellationToken cancellationToken)
    {
        CheckLogin(request.UserId, request.AttemptId, request.Ke3.Count);
        var result = new LoginFinishResponse();
        var outcomes = await EachAsync(
            Known(request.Ke3.Select(k => (k.NodeId, k))),
            (node, k, ct) => node.LoginFinishAsync(new NodeLoginFinishRequest { UserId = request.UserId, AttemptId = request.AttemptId, Ke3 = k.Payload }, ct),
            cancellationToken,
            quorum: options.Threshold,
            graceFactor: 4).ConfigureAwait(false);
        foreach (var (nodeId, response) in outcomes)
        {
            if (response is null)
            {
                result.FailedNodes.Add(nodeId);
            }
            else
            {
                result.Sessions.Add(new NodeSession { NodeId = nodeId, SessionId = response.SessionId, ExpiresAtUnixMs = response.ExpiresAtUnixMs });
            }
        }

        return result;
    }

    /// <summary>
    /// See threshold.v1.Wallet.GenerateKey: delivers the sealed requests, then runs key generation and
    /// aux-info across every node and starts filling the key's presignature pool.
    /// </summary>
    public async Task<GenerateKeyResponse> GenerateKeyAsync(GenerateKeyRequest request, CancellationToken cancellationToken)
    {
        if (request.RequestId.Length != 16 || request.Curve is not (Contracts.V1.Curve.Secp256K1 or Contracts.V1.Curve.P256))
        {
            throw new WalletException(WalletErrorKind.InvalidArgument, "a 16-byte request id and a supported curve are required");
        }

        var perNode = EveryNode(request.Requests.Select(e => (e.NodeId, e)));
        var response = new GenerateKeyResponse { Curve = request.Curve };
        var replies = await AllAsync(perNode, (node, e, ct) => node.SubmitAsync(e, ct), cancellationToken).ConfigureAwait(false);
        response.Replies.AddRange(replies.Values);

        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var parties = byParty.Keys.Order().Select(p => (uint)p).ToList();
        var keygenRequest = new StartProtocolRequest
        {
            Kind = ProtocolKind.Keygen,
            SessionId = ByteString.CopyFrom(ProtocolSessionIds.New(options.Time)),
            KeyId = keyId,
            RequestId = request.RequestId,
            Owner = request.UserId,
            Curve = request.Curve,
            Threshold = (uint)options.Threshold,
            Parties = { parties },
        };
        var keygenConfig = new KeygenConfig(CurveOf(request.Curve), options.Threshold, [.. parties.Select(p => (int)p)], keygenRequest.SessionId.ToByteArray());
        var keygenContext = Keygen.Context(keygenConfig, Directory);
        var keygen = await driver.RunAsync(byParty, keygenRequest, Directory, _ => keygenContext, cancellationToken).ConfigureAwait(false);
        if (!keygen.Completed || keygen.Steps.Values.Select(s => s.PublicKey).Distinct().Count() != 1)
        {
            LogRun("keygen", keygen, keyId);
            response.Failure = Failure("key generation did not complete", keygen);
            return response;
        }

        var auxRequest = new StartProtocolRequest
        {
            Kind = ProtocolKind.AuxInfo,
            SessionId = ByteString.CopyFrom(ProtocolSessionIds.New(options.Time)),
            KeyId = keyId,
            RequestId = request.RequestId,
            Parties = { parties },
        };
        var auxConfig = new AuxInfoConfig(options.Level, [.. parties.Select(p => (int)p)], auxRequest.SessionId.ToByteArray()) { Context = keygen.Steps.Values.First().PublicKey.ToByteArray() };
        var auxContext = AuxInfoProtocol.Context(auxConfig, Directory);
        var aux = await driver.RunAsync(byParty, auxRequest, Directory, _ => auxContext, cancellationToken).ConfigureAwait(false);
        if (!aux.Completed)
        {
            LogRun("aux-info", aux, keyId);
            response.Failure = Failure("aux-info did not complete", aux);
            return response;
        }

        response.KeyId = keyId;
        response.PublicKey = keygen.Steps.Values.First().PublicKey;
        supply.Refill(keyId);
        return response;
    }

    /// <summary>See threshold.v1.Wallet.GetPublicKey: relays the sealed requests; the client reads the replies.</summary>
    public async Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken)
    {
        var outcomes = await EachAsync(Known(request.Requests.Select(e => (e.NodeId, e))), (node, e, ct) => node.SubmitAsync(e, ct), cancellationToken, sessionQuorum: options.Threshold, quorum: options.Threshold).ConfigureAwait(false);
        var response = new GetPublicKeyResponse();
        response.Replies.AddRange(outcomes.Values.OfType<ChannelEnvelope>());
        return response;
    }

    /// <summary>
    /// See threshold.v1.Wallet.Sign: delivers the sealed requests, uses a ready presignature of t nodes
    /// that accepted (or makes one), collects the partial signatures, checks each, combines and verifies.
    /// </summary>
    public async Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken)
    {
        if (request.RequestId.Length != 16 || string.IsNullOrEmpty(request.KeyId))
        {
            throw new WalletException(WalletErrorKind.InvalidArgument, "a key id and a 16-byte request id are required");
        }

        var response = new SignResponse();
        var errors = new Dictionary<string, NodeCallException?>();
        var submitted = await EachAsync(Known(request.Requests.Select(e => (e.NodeId, e))), (node, e, ct) => node.SubmitAsync(e, ct), cancellationToken, sessionQuorum: options.Threshold, errors: errors, quorum: options.Threshold).ConfigureAwait(false);
        var available = submitted.Where(e => e.Value is not null).Select(e => partyOf[e.Key]).ToHashSet();
        selection.Fail(errors.Where(e => e.Value is null).Select(e => partyOf[e.Key])); // too slow to be waited for: counted, not awaited
        if (available.Count < options.Threshold)
        {
            response.Failure = new OperationFailure
            {
                Reason = $"only {available.Count} of the {options.Threshold} nodes needed accepted the request",
                UnresponsiveNodes = { errors.Where(e => e.Value is null or { Unavailable: true }).Select(e => e.Key) },
                RefusingNodes = { errors.Where(e => e.Value is { Unavailable: false }).Select(e => e.Key) },
            };
            return response;
        }

        var presignature = supply.Take(request.KeyId, available);
        if (presignature is null)
        {
            var (made, incidents) = await PresignAmongAsync(request.KeyId, available, cancellationToken).ConfigureAwait(false);
            if (made is null)
            {
                incidents.Reason = "no presignature could be made for the available nodes";
                response.Failure = incidents;
                return response;
            }

            if (incidents.Culprits.Count + incidents.UnresponsiveNodes.Count + incidents.RefusingNodes.Count > 0)
            {
                incidents.Reason = "left out after failing a presigning run; the others signed";
                response.Excluded = incidents;
            }

            presignature = made;
        }

        (presignature, var partials) = await CollectPartialsAsync(request, presignature, available, cancellationToken).ConfigureAwait(false);
        var signers = presignature.Signers.Select(s => (int)s).ToList();
        supply.Refill(request.KeyId);
        if (partials.Any(e => e.Value is null))
        {
            var silent = partials.Where(e => e.Value is null).Select(e => e.Key).ToList();
            AggregatorLog.SignFailed(logger, request.KeyId, "some signers did not sign", "none", string.Join(", ", silent));
            selection.Fail(silent.Select(n => partyOf[n]));
            response.Failure = new OperationFailure { Reason = "some signers did not sign", RefusingNodes = { silent } };
            return response;
        }

        // Each share counts for the party we asked, whatever index it claims; one that does not decode is wrong.
        var commitments = Commitments(presignature);
        var shares = new List<PartialSignature>();
        var culprits = new List<Contracts.V1.Culprit>();
        foreach (var (nodeId, partial) in partials)
        {
            var party = partyOf[nodeId];
            try
            {
                shares.Add(new PartialSignature(party, Scalar.Decode(commitments.Curve, partial!.Sigma.Span, "σ_j")));
            }
            catch (DecodingException e)
            {
                culprits.Add(new Contracts.V1.Culprit { NodeId = nodeId, Party = (uint)party, Check = "sign.partial", Reason = e.Message });
            }
        }

        // Each signer signs the digest sealed to it by the wallet, and says which: its σ_j is checked against
        // that digest. Only a wallet (or a signer lying about its digest, which its σ_j then shows) makes
        // the digests differ; the signature is combined only when they agree.
        var digests = partials.ToDictionary(e => partyOf[e.Key], e => e.Value!.Digest.ToByteArray());
        foreach (var share in shares.Where(s => digests[s.Party].Length != 32 || !SignatureCombiner.IsValid(commitments, digests[s.Party], s)))
        {
            culprits.Add(new Contracts.V1.Culprit { NodeId = byParty[share.Party].NodeId, Party = (uint)share.Party, Check = "sign.partial", Reason = "σ_j·R ≠ m·R̄_j + r·S_j for the digest it reports" });
        }

        EcdsaSignature? signature = null;
        var digest = digests.Values.First();
        if (culprits.Count == 0 && digests.Values.Any(d => !d.AsSpan().SequenceEqual(digest)))
        {
            AggregatorLog.SignFailed(logger, request.KeyId, "signers were sealed different digests", "none", "none");
            response.Failure = new OperationFailure { Reason = "the sealed requests name different digests; nobody is to blame but their sender" };
            return response;
        }

        if (culprits.Count == 0 && !SignatureCombiner.TryCombine(commitments, digest, shares, out signature, out var failure))
        {
            culprits.AddRange(failure!.Culprits.Select(p => new Contracts.V1.Culprit { NodeId = byParty[p].NodeId, Party = (uint)p, Check = "sign.partial", Reason = "σ_j·R ≠ m·R̄_j + r·S_j" }));
        }

        if (culprits.Count > 0)
        {
            AggregatorLog.SignFailed(logger, request.KeyId, "wrong partial signatures", string.Join(", ", culprits.Select(c => $"{c.NodeId} ({c.Check})")), "none");
            selection.Fail(culprits.Select(c => (int)c.Party));
            response.Failure = new OperationFailure { Reason = "wrong partial signatures", Culprits = { culprits } };
            return response;
        }

        response.R = ByteString.CopyFrom(signature!.R.Encode());
        response.S = ByteString.CopyFrom(signature.S.Encode());
        response.RecoveryId = (uint)signature.RecoveryId;
        response.Digest = ByteString.CopyFrom(digest);
        response.Signers.AddRange(signers.Select(p => byParty[p].NodeId));
        return response;
    }

    /// <summary>
    /// Asks the presignature's signers for their partial signatures. A signer that has not answered
    /// within the hedge delay (four times the usual round trip, between 100 ms and 2 s) is counted as slow,
    /// and other available nodes are asked too, with a presignature from the pool or made now (each node's
    /// authorisation allows two partial signatures of the one digest): the first complete set wins.
    /// </summary>
    private async Task<(PresignatureInfo Presignature, Dictionary<string, PartialSignResponse?> Partials)> CollectPartialsAsync(
        SignRequest request, PresignatureInfo presignature, IReadOnlySet<int> available, CancellationToken cancellationToken)
    {
        using var losing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var first = AskSigners(request, presignature, losing.Token);
        var all = Task.WhenAll(first.Values);
        var hedgeDelay = TimeSpan.FromMilliseconds(Math.Clamp(4 * Volatile.Read(ref partialRoundTripMs), 100, 2000));
        if (await Task.WhenAny(all, Task.Delay(hedgeDelay, cancellationToken)).ConfigureAwait(false) == all)
        {
            Volatile.Write(ref partialRoundTripMs, (0.8 * Volatile.Read(ref partialRoundTripMs)) + (0.2 * watch.Elapsed.TotalMilliseconds));
            return (presignature, await Results(first).ConfigureAwait(false));
        }

        var slow = first.Where(e => !e.Value.IsCompleted).Select(e => partyOf[e.Key]).ToHashSet();
        selection.Fail(slow);
        var others = available.Where(p => !slow.Contains(p)).ToHashSet();
        var hedge = pool.Take(request.KeyId, selection.Trusted(others)) ?? pool.Take(request.KeyId, others);
        if (hedge is null && others.Count >= options.Threshold)
        {
            hedge = (await PresignAmongAsync(request.KeyId, others, cancellationToken).ConfigureAwait(false)).Presignature;
        }

        if (hedge is null)
        {
            return (presignature, await Results(first).ConfigureAwait(false));
        }

        AggregatorLog.SignHedged(logger, request.KeyId, string.Join(", ", slow.Select(p => byParty[p].NodeId)));
        using var alsoLosing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var second = AskSigners(request, hedge, alsoLosing.Token);
        var firstSet = Results(first);
        var secondSet = Results(second);
        var winner = await Task.WhenAny(firstSet, secondSet).ConfigureAwait(false);
        if ((await winner.ConfigureAwait(false)).Values.Any(v => v is null))
        {
            winner = winner == firstSet ? secondSet : firstSet; // the first to finish failed: the other may still succeed
        }

        await (winner == firstSet ? alsoLosing : losing).CancelAsync().ConfigureAwait(false);
        return (winner == firstSet ? presignature : hedge, await winner.ConfigureAwait(false));
    }

    /// <summary>One partial-signature call per signer of <paramref name="presignature"/>, each with its deadline; a failure maps to null.</summary>
    private Dictionary<string, Task<PartialSignResponse?>> AskSigners(SignRequest request, PresignatureInfo presignature, CancellationToken cancellationToken) =>
        presignature.Signers.Select(s => byParty[(int)s]).ToDictionary(node => node.NodeId, async node =>
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.CallTimeout);
            try
            {
                var partial = await node.PartialSignAsync(new PartialSignRequest { KeyId = request.KeyId, RequestId = request.RequestId, PresignatureId = presignature.PresignatureId }, deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
                Reached(node.NodeId);
                return (PartialSignResponse?)partial;
            }
            catch (Exception e) when (e is NodeCallException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            catch (OperationCanceledException)
            {
                return null; // the other signer set won
            }
        });

    private static async Task<Dictionary<string, PartialSignResponse?>> Results(Dictionary<string, Task<PartialSignResponse?>> calls)
    {
        await Task.WhenAll(calls.Values).ConfigureAwait(false);
        return calls.ToDictionary(e => e.Key, e => e.Value.Result);
    }

    /// <summary>See threshold.v1.Wallet.Logout.</summary>
    public async Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken)
    {
        var outcomes = await EachAsync(Known(request.Requests.Select(e => (e.NodeId, e))), (node, e, ct) => node.SubmitAsync(e, ct), cancellationToken, quorum: options.Threshold).ConfigureAwait(false);
        var response = new LogoutResponse();
        response.LoggedOutNodes.AddRange(outcomes.Where(e => e.Value is not null).Select(e => e.Key));
        return response;
    }

    /// <summary>Waits for background pool refills to finish (tests, shutdown).</summary>
    public Task DrainAsync() => supply.DrainAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await supply.StopAsync().ConfigureAwait(false);
        if (reachability is not null)
        {
            await reachability.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Presigns with t of <paramref name="candidates"/>; when a run fails, leaves out the nodes that
    /// made it fail (culprits, unresponsive, refusing) and tries the next t, while t are left.
    /// Returns what each failed run reported.
    /// </summary>
    private async Task<(PresignatureInfo? Presignature, OperationFailure Incidents)> PresignAmongAsync(string keyId, IEnumerable<int> candidates, CancellationToken cancellationToken)
    {
        var remaining = candidates.ToHashSet();
        var incidents = new OperationFailure();
        while (remaining.Count >= options.Threshold)
        {
            var signers = selection.Choose(remaining);
            var (made, outcome) = await PresignRunAsync(keyId, signers, cancellationToken).ConfigureAwait(false);
            var failed = selection.Record(signers, outcome, made is not null, partyOf);
            if (made is not null)
            {
                return (made, incidents);
            }

            LogRun("presign", outcome, keyId);
            Report(incidents, outcome);
            if (!remaining.Overlaps(failed))
            {
                break; // failed for no node's fault: another subset would fail alike
            }

            remaining.ExceptWith(failed);
        }

        return (null, incidents);
    }

    /// <summary>The parties whose node answered its last probe or call.</summary>
    private List<int> ReachableParties() => [.. byParty.Where(e => reachability?.IsReachable(e.Value.NodeId) ?? true).Select(e => e.Key)];

    private void Reached(string nodeId) => reachability?.Reached(nodeId);

    private void Unreached(string nodeId) => reachability?.ProbeSoon(nodeId);

    /// <summary>Logs a failed protocol run: who was named (node and check, not the evidence), who went silent, who refused.</summary>
    private void LogRun(string protocol, ProtocolOutcome outcome, string keyId)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            var sessionId = outcome.Steps.Values.Select(s => Convert.ToHexStringLower(s.SessionId.Span)).FirstOrDefault() ?? "(not started)";
            AggregatorLog.RunFailed(
                logger,
                protocol,
                sessionId,
                keyId,
                outcome.Culprits.Count == 0 ? "none" : string.Join(", ", outcome.Culprits.Select(c => $"{c.NodeId} ({c.Check}, named by {string.Join("+", c.NamedBy)})")),
                outcome.Unresponsive.Count == 0 ? "none" : string.Join(", ", outcome.Unresponsive),
                outcome.Refusing.Count == 0 ? "none" : string.Join(", ", outcome.Refusing));
        }
    }

    private async Task<(PresignatureInfo? Presignature, ProtocolOutcome Outcome)> PresignRunAsync(string keyId, List<int> signers, CancellationToken cancellationToken)
    {
        var nodes = signers.ToDictionary(p => p, p => byParty[p]);
        var presignRequest = new StartProtocolRequest
        {
            Kind = ProtocolKind.Presign,
            SessionId = ByteString.CopyFrom(ProtocolSessionIds.New(options.Time)),
            KeyId = keyId,
            Parties = { signers.Select(p => (uint)p) },
        };
        var outcome = await driver.RunAsync(nodes, presignRequest, Directory, step => PresignContext(step, presignRequest.SessionId.ToByteArray(), signers), cancellationToken).ConfigureAwait(false);
        var infos = outcome.Steps.Values.Select(s => s.Presignature).Where(p => p is not null).ToList();
        return (outcome.Completed && infos.Count == signers.Count && infos.All(i => i.Equals(infos[0])) ? infos[0] : null, outcome);
    }

    /// <summary>
    /// The judge of a presigning run from the public setup a node reports (its key's public shares and
    /// aux info). A node cannot pass off another setup: the run's session id is bound to it, so the
    /// signed messages of a run match only the setup their signers used.
    /// </summary>
    private SessionContext? PresignContext(ProtocolStep step, byte[] sessionId, IReadOnlyList<int> signers)
    {
        try
        {
            var setup = PresignSetup.Decode(step.PresignSetup.Span);
            return setup.Signers.SequenceEqual(signers.Order()) ? Presign.Context(setup, sessionId, Directory) : null;
        }
        catch (DecodingException)
        {
            return null;
        }
    }

    private EcdsaPartyKeys Directory => directory ?? throw new InvalidOperationException("not initialised");

    private static Threshold.Curves.Curve CurveOf(Contracts.V1.Curve curve) =>
        curve == Contracts.V1.Curve.P256 ? Threshold.Curves.Curve.P256 : Threshold.Curves.Curve.Secp256k1;

    private static PresignatureCommitments Commitments(PresignatureInfo info)
    {
        var curve = info.Curve == Contracts.V1.Curve.P256 ? Threshold.Curves.Curve.P256 : Threshold.Curves.Curve.Secp256k1;
        var signers = info.Signers.Select(s => (int)s).ToList();
        return new PresignatureCommitments(
            curve,
            Point.Decode(curve, info.PublicKey.Span),
            Point.Decode(curve, info.R.Span),
            signers.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => Point.Decode(curve, info.RBar[x.i].Span)),
            signers.Select((p, i) => (p, i)).ToDictionary(x => x.p, x => Point.Decode(curve, info.S[x.i].Span)));
    }

    private static OperationFailure Failure(string reason, ProtocolOutcome outcome) => Report(new OperationFailure { Reason = reason }, outcome);

    /// <summary>Adds what a failed run reported (culprits, unresponsive, refusing) to <paramref name="failure"/>.</summary>
    private static OperationFailure Report(OperationFailure failure, ProtocolOutcome outcome)
    {
        failure.Culprits.AddRange(outcome.Culprits);
        failure.UnresponsiveNodes.AddRange(outcome.Unresponsive);
        failure.RefusingNodes.AddRange(outcome.Refusing);
        return failure;
    }

    /// <summary>
    /// A login call's user id (the 32 lowercase hex characters every node registers), attempt id (16
    /// bytes) and number of per-node messages (1 to n), checked before any node is called.
    /// </summary>
    private void CheckLogin(string userId, Google.Protobuf.ByteString attemptId, int messages)
    {
        if (!IsUserId(userId) || attemptId.Length != 16 || messages < 1 || messages > options.Nodes.Count)
        {
            throw new WalletException(WalletErrorKind.InvalidArgument, "a login needs a 32-character lowercase hex user id, a 16-byte attempt id and one message for each of 1 to n nodes");
        }
    }

    private static void CheckUserId(string userId)
    {
        if (!IsUserId(userId))
        {
            throw new WalletException(WalletErrorKind.InvalidArgument, "a user id is 32 lowercase hexadecimal characters");
        }
    }

    /// <summary>Whether <paramref name="userId"/> has the form every node registers: 32 lowercase hexadecimal characters.</summary>
    private static bool IsUserId(string? userId) => Threshold.Opaque.Cluster.UserId.TryParse(userId, out _);

    /// <summary>One entry per cluster node: missing or unknown nodes are refused.</summary>
    private Dictionary<string, (INodeClient Node, T Item)> EveryNode<T>(IEnumerable<(string NodeId, T Item)> items)
    {
        var known = Known(items).ToDictionary(x => x.NodeId, x => x.Item);
        if (known.Count != options.Nodes.Count)
        {
            throw new WalletException(WalletErrorKind.InvalidArgument, "every node of the cluster must be included exactly once");
        }

        return known.ToDictionary(e => e.Key, e => (byParty[partyOf[e.Key]], e.Value));
    }

    private IEnumerable<(string NodeId, T Item)> Known<T>(IEnumerable<(string NodeId, T Item)> items)
    {
        var seen = new HashSet<string>();
        foreach (var (nodeId, item) in items)
        {
            if (!partyOf.ContainsKey(nodeId) || !seen.Add(nodeId))
            {
                throw new WalletException(WalletErrorKind.InvalidArgument, $"unknown or repeated node '{nodeId}'");
            }

            yield return (nodeId, item);
        }
    }

    /// <summary>Calls every node; any failure fails the whole request.</summary>
    private async Task<Dictionary<string, TResult>> AllAsync<T, TResult>(Dictionary<string, (INodeClient Node, T Item)> perNode, Func<INodeClient, T, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TResult : class
    {
        var outcomes = await EachAsync(perNode.Select(e => (e.Key, e.Value.Item)), call, cancellationToken, throwOnFailure: true).ConfigureAwait(false);
        return outcomes.ToDictionary(e => e.Key, e => e.Value!);
    }

    /// <summary>
    /// Calls each node with its deadline; a failing node maps to null (or throws when asked to), and its
    /// error goes to <paramref name="errors"/> (null: it timed out, or was not waited for). With a
    /// <paramref name="quorum"/>, the call returns once that many nodes have answered, after a short grace
    /// for the rest (twice the time the quorum took, within <see cref="MinGrace"/> and <see cref="MaxGrace"/>,
    /// both stretched by <paramref name="graceFactor"/>), and nodes the probes found unreachable are not
    /// asked while enough others are: one hung node does not hold everyone up. With a <paramref name="sessionQuorum"/>, a request that too
    /// many nodes refuse for want of a session fails as <see cref="WalletErrorKind.Unauthenticated"/>, so
    /// the wallet learns to log in again.
    /// </summary>
    private async Task<Dictionary<string, TResult?>> EachAsync<T, TResult>(
        IEnumerable<(string NodeId, T Item)> items,
        Func<INodeClient, T, CancellationToken, Task<TResult>> call,
        CancellationToken cancellationToken,
        bool throwOnFailure = false,
        int? sessionQuorum = null,
        Dictionary<string, NodeCallException?>? errors = null,
        int? quorum = null,
        int graceFactor = 1)
        where TResult : class
    {
        using var stragglers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var list = items.ToList();

        // With a quorum to reach, nodes that failed at least two probes in a row are not even asked, while
        // enough others are (a node that just failed one probe, or is starting, still gets its grace).
        var down = reachability?.Statuses.Where(st => !st.Reachable && st.FailedProbes >= 2).Select(st => st.NodeId).ToHashSet() ?? [];
        var skipped = quorum is { } q && list.Count(x => !down.Contains(x.NodeId)) >= q
            ? list.Where(x => down.Contains(x.NodeId)).Select(x => x.NodeId).ToHashSet()
            : [];
        var tasks = list.Select(async x =>
        {
            if (skipped.Contains(x.NodeId))
            {
                return (x.NodeId, Result: (TResult?)null, Error: (Exception?)new NodeCallException(x.NodeId, null, unavailable: true, "unreachable at the last probe"));
            }

            var node = byParty[partyOf[x.NodeId]];
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stragglers.Token);
            deadline.CancelAfter(options.CallTimeout);
            try
            {
                var result = await call(node, x.Item, deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
                Reached(x.NodeId);
                return (x.NodeId, Result: (TResult?)result, Error: (Exception?)null);
            }
            catch (Exception e) when (e is NodeCallException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (e is NodeCallException { Unavailable: true })
                {
                    Unreached(x.NodeId);
                }
                else if (e is NodeCallException)
                {
                    Reached(x.NodeId); // it answered, with a refusal
                }

                return (x.NodeId, Result: (TResult?)null, Error: e);
            }
        }).ToList();
        if (quorum is { } needed)
        {
            var remaining = tasks.ToList();
            var answered = 0;
            while (remaining.Count > 0 && answered < needed)
            {
                var done = await Task.WhenAny(remaining).ConfigureAwait(false);
                remaining.Remove(done);
                answered += (await done.ConfigureAwait(false)).Error is null ? 1 : 0;
            }

            var grace = TimeSpan.FromTicks(Math.Clamp(2 * graceFactor * watch.Elapsed.Ticks, MinGrace.Ticks, graceFactor * MaxGrace.Ticks));
            try
            {
                await Task.WhenAll(remaining).WaitAsync(grace, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await stragglers.CancelAsync().ConfigureAwait(false); // the rest are not waited for
            }
        }

        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        foreach (var failed in results.Where(r => r.Error is not null))
        {
            errors?.Add(failed.NodeId, failed.Error as NodeCallException);
        }

        var sessionless = results.Where(r => r.Error is NodeCallException { Kind: NodeErrorKind.Unauthenticated }).Select(r => r.NodeId).ToList();
        if (sessionless.Count > 0 && (throwOnFailure || results.Length - sessionless.Count < sessionQuorum))
        {
            throw new WalletException(WalletErrorKind.Unauthenticated, $"no open session at {string.Join(", ", sessionless.Order(StringComparer.Ordinal))}: it expired or was closed; log in again");
        }

        if (throwOnFailure && results.FirstOrDefault(r => r.Error is not null) is { Error: { } error } failedNode)
        {
            throw error is NodeCallException { Unavailable: false, Kind: var kind } refused
                ? new WalletException(kind == NodeErrorKind.PermissionDenied ? WalletErrorKind.PermissionDenied : WalletErrorKind.InvalidArgument, refused.Message)
                : new WalletException(WalletErrorKind.Unavailable, $"node {failedNode.NodeId} is unavailable");
        }

        return results.ToDictionary(r => r.NodeId, r => r.Result);
    }
}
