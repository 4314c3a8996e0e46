using System.Collections.Concurrent;
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Signing;
using Threshold.Contracts.V1;
using Threshold.Curves;
using Threshold.Node;

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
    private readonly ProtocolDriver driver;
    private readonly PresignaturePool pool = new();
    private readonly SignerSelection selection;
    private readonly PresignatureSupply supply;
    private Dictionary<int, INodeClient> byParty = [];
    private Dictionary<string, int> partyOf = [];
    private ClusterInfo info = new();

    /// <summary>Creates the aggregator; call <see cref="InitializeAsync"/> before serving.</summary>
    public AggregatorService(AggregatorOptions options)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        driver = new ProtocolDriver(options.CallTimeout);
        selection = new SignerSelection(options.Threshold);
        supply = new PresignatureSupply(
            pool,
            (keyId, ct) => PresignAmongAsync(keyId, byParty.Keys, ct),
            selection.Trusted,
            () => byParty.Keys,
            PresignatureSupply.SignerSets(options.Nodes.Count, options.Threshold),
            options.PoolSupply);
    }

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

    /// <summary>Learns every node's party index and keys.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var infos = await Task.WhenAll(options.Nodes.Select(n => n.GetNodeInfoAsync(cancellationToken))).ConfigureAwait(false);
        byParty = options.Nodes.Zip(infos).ToDictionary(x => (int)x.Second.Party, x => x.First);
        partyOf = infos.ToDictionary(i => i.NodeId, i => (int)i.Party);
        info = new ClusterInfo
        {
            Version = "threshold.v1",
            Threshold = (uint)options.Threshold,
            NodesTotal = (uint)infos.Length,
            OpaqueSuite = options.OpaqueSuite,
            Curves = { Contracts.V1.Curve.Secp256K1, Contracts.V1.Curve.P256 },
        };
        info.Nodes.AddRange(infos.OrderBy(i => i.Party).Select(i => new NodeDescriptor
        {
            NodeId = i.NodeId,
            Party = i.Party,
            IdentityKey = i.IdentityKey,
            AgreementKey = i.AgreementKey,
            OpaqueServerKey = i.OpaqueServerKey,
        }));
        info.Fingerprint = Threshold.Node.Identity.ClusterMembers.FingerprintOf(infos.Select(i => i.IdentityKey.ToByteArray()));
    }

    /// <summary>See threshold.v1.Wallet.GetClusterInfo.</summary>
    public ClusterInfo GetClusterInfo() => info;

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
            errors: errors).ConfigureAwait(false);
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
            cancellationToken).ConfigureAwait(false);
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
        var keygen = await driver.RunAsync(byParty, new StartProtocolRequest
        {
            Kind = ProtocolKind.Keygen,
            SessionId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32)),
            KeyId = keyId,
            RequestId = request.RequestId,
            Owner = request.UserId,
            Curve = request.Curve,
            Threshold = (uint)options.Threshold,
            Parties = { parties },
        }, cancellationToken).ConfigureAwait(false);
        if (!keygen.Completed || keygen.Steps.Values.Select(s => s.PublicKey).Distinct().Count() != 1)
        {
            response.Failure = Failure("key generation did not complete", keygen);
            return response;
        }

        var aux = await driver.RunAsync(byParty, new StartProtocolRequest
        {
            Kind = ProtocolKind.AuxInfo,
            SessionId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32)),
            KeyId = keyId,
            RequestId = request.RequestId,
            Parties = { parties },
        }, cancellationToken).ConfigureAwait(false);
        if (!aux.Completed)
        {
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
        var outcomes = await EachAsync(Known(request.Requests.Select(e => (e.NodeId, e))), (node, e, ct) => node.SubmitAsync(e, ct), cancellationToken, sessionQuorum: options.Threshold).ConfigureAwait(false);
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
        if (request.RequestId.Length != 16 || request.Digest.Length != 32 || string.IsNullOrEmpty(request.KeyId))
        {
            throw new WalletException(WalletErrorKind.InvalidArgument, "a key id, a 32-byte digest and a 16-byte request id are required");
        }

        var response = new SignResponse();
        var errors = new Dictionary<string, NodeCallException?>();
        var submitted = await EachAsync(Known(request.Requests.Select(e => (e.NodeId, e))), (node, e, ct) => node.SubmitAsync(e, ct), cancellationToken, sessionQuorum: options.Threshold, errors: errors).ConfigureAwait(false);
        var available = submitted.Where(e => e.Value is not null).Select(e => partyOf[e.Key]).ToHashSet();
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

        var signers = presignature.Signers.Select(s => (int)s).ToList();
        var partials = await EachAsync(
            signers.Select(p => (byParty[p].NodeId, p)),
            (node, p, ct) => node.PartialSignAsync(new PartialSignRequest { KeyId = request.KeyId, RequestId = request.RequestId, PresignatureId = presignature.PresignatureId }, ct),
            cancellationToken).ConfigureAwait(false);
        supply.Refill(request.KeyId);
        if (partials.Any(e => e.Value is null))
        {
            var silent = partials.Where(e => e.Value is null).Select(e => e.Key).ToList();
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

        EcdsaSignature? signature = null;
        if (culprits.Count == 0 && !SignatureCombiner.TryCombine(commitments, request.Digest.Span, shares, out signature, out var failure))
        {
            culprits.AddRange(failure!.Culprits.Select(p => new Contracts.V1.Culprit { NodeId = byParty[p].NodeId, Party = (uint)p, Check = "sign.partial", Reason = "σ_j·R ≠ m·R̄_j + r·S_j" }));
        }

        if (culprits.Count > 0)
        {
            selection.Fail(culprits.Select(c => (int)c.Party));
            response.Failure = new OperationFailure { Reason = "wrong partial signatures", Culprits = { culprits } };
            return response;
        }

        response.R = ByteString.CopyFrom(signature!.R.Encode());
        response.S = ByteString.CopyFrom(signature.S.Encode());
        response.RecoveryId = (uint)signature.RecoveryId;
        response.Signers.AddRange(signers.Select(p => byParty[p].NodeId));
        return response;
    }

    /// <summary>See threshold.v1.Wallet.Logout.</summary>
    public async Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken)
    {
        var outcomes = await EachAsync(Known(request.Requests.Select(e => (e.NodeId, e))), (node, e, ct) => node.SubmitAsync(e, ct), cancellationToken).ConfigureAwait(false);
        var response = new LogoutResponse();
        response.LoggedOutNodes.AddRange(outcomes.Where(e => e.Value is not null).Select(e => e.Key));
        return response;
    }

    /// <summary>Waits for background pool refills to finish (tests, shutdown).</summary>
    public Task DrainAsync() => supply.DrainAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await supply.StopAsync().ConfigureAwait(false);

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

            Report(incidents, outcome);
            if (!remaining.Overlaps(failed))
            {
                break; // failed for no node's fault: another subset would fail alike
            }

            remaining.ExceptWith(failed);
        }

        return (null, incidents);
    }

    private async Task<(PresignatureInfo? Presignature, ProtocolOutcome Outcome)> PresignRunAsync(string keyId, List<int> signers, CancellationToken cancellationToken)
    {
        var nodes = signers.ToDictionary(p => p, p => byParty[p]);
        var outcome = await driver.RunAsync(nodes, new StartProtocolRequest
        {
            Kind = ProtocolKind.Presign,
            SessionId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(32)),
            KeyId = keyId,
            Parties = { signers.Select(p => (uint)p) },
        }, cancellationToken).ConfigureAwait(false);
        var infos = outcome.Steps.Values.Select(s => s.Presignature).Where(p => p is not null).ToList();
        return (outcome.Completed && infos.Count == signers.Count && infos.All(i => i.Equals(infos[0])) ? infos[0] : null, outcome);
    }

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
    /// error goes to <paramref name="errors"/> (null: it timed out). With a <paramref name="sessionQuorum"/>,
    /// a request that too many nodes refuse for want of a session fails as
    /// <see cref="WalletErrorKind.Unauthenticated"/>, so the wallet learns to log in again.
    /// </summary>
    private async Task<Dictionary<string, TResult?>> EachAsync<T, TResult>(
        IEnumerable<(string NodeId, T Item)> items,
        Func<INodeClient, T, CancellationToken, Task<TResult>> call,
        CancellationToken cancellationToken,
        bool throwOnFailure = false,
        int? sessionQuorum = null,
        Dictionary<string, NodeCallException?>? errors = null)
        where TResult : class
    {
        var tasks = items.Select(async x =>
        {
            var node = byParty[partyOf[x.NodeId]];
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.CallTimeout);
            try
            {
                return (x.NodeId, Result: (TResult?)await call(node, x.Item, deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false), Error: (Exception?)null);
            }
            catch (Exception e) when (e is NodeCallException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return (x.NodeId, Result: (TResult?)null, Error: e);
            }
        }).ToList();
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
