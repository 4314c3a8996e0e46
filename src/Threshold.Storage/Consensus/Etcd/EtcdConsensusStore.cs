using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Threshold.Storage.Internal;
using static Threshold.Storage.Consensus.Etcd.EtcdConnection;

namespace Threshold.Storage.Consensus.Etcd;

/// <summary>
/// One node's consensus store on etcd (Raft). The node writes only under its own prefix
/// <c>{prefix}nodes/{node}/</c> (etcd RBAC enforces it: <see cref="EtcdAccess"/>), and signs every value
/// with its identity key and a growing counter, so whoever can write to etcd can withhold or replay but
/// not forge, and a reader refuses a value older than one it has seen. The login budget is
/// <see cref="LoginLedger"/> over per-node attempt logs: admitting reads every node's log for the user
/// and the user's unlock epoch, decides, and writes the node's own log in a transaction that commits only
/// if none of what it read changed (linearizable, so guesses spread over nodes stop exactly at the
/// budget). Without an etcd quorum every call fails with <see cref="ConsensusUnavailableException"/> and
/// the node refuses logins. Heartbeats are puts under a lease, so a node that stops vanishes.
/// </summary>
/// <remarks>
/// Keys: <c>nodes/{node}/logins/{user}</c> (the node's attempt log), <c>nodes/{node}/state-version</c>,
/// <c>nodes/{node}/heartbeat</c> (leased), <c>nodes/{node}/unlock-cursor</c>; written by the operator
/// (etcd root) only: <c>unlocks/next</c>, <c>unlocks/journal/{seq:D19}</c>, <c>unlocks/users/{user}</c>
/// (the user's epoch). Ids in keys are URI-escaped.
/// </remarks>
public sealed class EtcdConsensusStore : IConsensusStore, IDisposable, IAsyncDisposable
{
    /// <summary>How many times a write that lost a race re-reads and retries before giving up.</summary>
    private const int MaxRaces = 64;

    private readonly EtcdClient client;
    private readonly EtcdConnectionOptions options;
    private readonly SignedValues values;
    private readonly TimeProvider clock;
    private readonly TimeSpan heartbeatTtl;
    private readonly SemaphoreSlim leaseGate = new(1, 1);
    private long lease;

    private EtcdConsensusStore(EtcdClient client, EtcdConnectionOptions options, SignedValues values, TimeProvider clock, TimeSpan heartbeatTtl)
    {
        this.client = client;
        this.options = options;
        this.values = values;
        this.clock = clock;
        this.heartbeatTtl = heartbeatTtl;
    }

    /// <summary>Connects node <paramref name="node"/> to etcd.</summary>
    /// <param name="options">Endpoints and the node's client certificate (CN = the node's etcd user).</param>
    /// <param name="node">This node's id: the only node this store writes for.</param>
    /// <param name="signer">The node's identity key (ECDSA P-256): signs everything it writes.</param>
    /// <param name="verifiers">Every node's identity public key, this one's included: values of other nodes are read only if they verify.</param>
    /// <param name="timeProvider">The node's clock (attempt times, heartbeats).</param>
    /// <param name="heartbeatTtl">The heartbeat lease: a node that stops heartbeating vanishes this long after its last heartbeat at most.</param>
    public static EtcdConsensusStore Connect(
        EtcdConnectionOptions options, string node, ECDsa signer, IReadOnlyDictionary<string, ECDsa> verifiers, TimeProvider? timeProvider = null, TimeSpan? heartbeatTtl = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Names.Id(node, nameof(node));
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(verifiers);
        if (!verifiers.ContainsKey(node))
        {
            throw new ArgumentException($"the verification keys must include this node's ({node})", nameof(verifiers));
        }

        var ttl = heartbeatTtl ?? TimeSpan.FromSeconds(10);
        ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromSeconds(2));
        return new EtcdConsensusStore(Open(options), options, new SignedValues(node, signer, verifiers), timeProvider ?? TimeProvider.System, ttl);
    }

    /// <summary>This node.</summary>
    public string Node => values.Node;

    /// <inheritdoc />
    public async Task<LoginAdmission> AdmitLoginAttemptAsync(LoginAttempt attempt, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(policy);
        Own(attempt.Node);
        for (var race = 0; race < MaxRaces; race++)
        {
            var view = await ReadLoginsAsync(attempt.User, cancellationToken).ConfigureAwait(false);
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var (admission, updated) = LoginLedger.Admit(view.Records, view.Epoch, attempt, policy, now);
            if (updated is null || await WriteIfUnchangedAsync(view, LoginKey(Node, attempt.User), LoginRecordCodec.Encode(updated), cancellationToken).ConfigureAwait(false))
            {
                return admission;
            }
        }

        throw new ConsensusUnavailableException($"lost {MaxRaces} races for {attempt.User}'s login budget in a row; refusing rather than guessing");
    }

    /// <inheritdoc />
    public async Task<bool> RefundLoginAttemptAsync(string user, ReadOnlyMemory<byte> attemptId, string node, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        Own(node);
        if (attemptId.Length != LoginAttempt.IdLength)
        {
            throw new ArgumentException($"an attempt id is {LoginAttempt.IdLength} bytes", nameof(attemptId));
        }

        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        return await UpdateOwnAsync(
            LoginKey(Node, user),
            stored => LoginLedger.Refund(stored is null ? NodeLoginRecord.Empty : LoginRecordCodec.Decode(stored), attemptId.Span, policy, now) is { } refunded
                ? LoginRecordCodec.Encode(refunded)
                : null,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<LoginBudgetState> LoginBudgetAsync(string user, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        ArgumentNullException.ThrowIfNull(policy);
        var view = await ReadLoginsAsync(user, cancellationToken).ConfigureAwait(false);
        return LoginLedger.Budget(view.Records.Values, view.Epoch, policy, clock.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>Unlocks are the operator's (etcd root's): a node's certificate may not write the journal. Use <see cref="EtcdAccess.UnlockLoginAsync"/>.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public Task<long> UnlockLoginAsync(string user, string by, string reason, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("a node cannot unlock a login: the operator does, as etcd root (threshold login unlock)");

    /// <inheritdoc />
    public async Task<IReadOnlyList<LoginUnlock>> UnauditedLoginUnlocksAsync(string node, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        var cursor = await CursorAsync(node, cancellationToken).ConfigureAwait(false);
        var journal = options.Prefix + "unlocks/journal/";
        var response = await CallAsync(
            options.CallTimeout,
            deadline => client.GetAsync(new RangeRequest { Key = Key(JournalKey(cursor + 1)), RangeEnd = PrefixEnd(journal), Limit = 100 }, deadline: deadline, cancellationToken: cancellationToken),
            cancellationToken).ConfigureAwait(false);
        return [.. response.Kvs.Select(kv => JsonSerializer.Deserialize(kv.Value.Span, SignedValueJson.Default.LoginUnlock)
            ?? throw new ConsensusIntegrityException($"{kv.Key.ToStringUtf8()}: not an unlock"))];
    }

    /// <inheritdoc />
    public async Task MarkLoginUnlocksAuditedAsync(string node, long sequence, CancellationToken cancellationToken = default)
    {
        Own(node);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        await UpdateOwnAsync(
            NodeKey(Node, "unlock-cursor"),
            stored => stored is not null && long.Parse(stored, CultureInfo.InvariantCulture) >= sequence ? null : sequence.ToString(CultureInfo.InvariantCulture), // never moves back
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts every node's live login state and deletes this node's logs that can matter no more.</summary>
    public async Task<LoginStoreUsage> SweepLoginStateAsync(CancellationToken cancellationToken = default)
    {
        var nodes = options.Prefix + "nodes/";
        var all = await CallAsync(options.CallTimeout, deadline => client.GetAsync(new RangeRequest { Key = Key(nodes), RangeEnd = PrefixEnd(nodes) }, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        var epochs = await CallAsync(options.CallTimeout, deadline => client.GetRangeAsync(options.Prefix + "unlocks/users/", deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        var unlocks = await CallAsync(
            options.CallTimeout,
            deadline => client.GetAsync(new RangeRequest { Key = Key(options.Prefix + "unlocks/journal/"), RangeEnd = PrefixEnd(options.Prefix + "unlocks/journal/"), CountOnly = true }, deadline: deadline, cancellationToken: cancellationToken),
            cancellationToken).ConfigureAwait(false);
        var epochOf = epochs.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8(), kv => long.Parse(kv.Value.ToStringUtf8(), CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var users = new Dictionary<string, List<(string Node, NodeLoginRecord Record, long Revision)>>(StringComparer.Ordinal);
        foreach (var kv in all.Kvs)
        {
            var key = kv.Key.ToStringUtf8();
            var parts = key[nodes.Length..].Split('/');
            if (parts.Length != 3 || parts[1] != "logins")
            {
                continue;
            }

            var owner = Uri.UnescapeDataString(parts[0]);
            if (!values.Nodes.Contains(owner))
            {
                continue; // not a member: nothing it wrote counts
            }

            var (body, _) = values.Open(key, owner, kv.Value.Span, kv.ModRevision);
            var user = Uri.UnescapeDataString(parts[2]);
            if (!users.TryGetValue(user, out var list))
            {
                users[user] = list = [];
            }

            list.Add((owner, LoginRecordCodec.Decode(body), kv.ModRevision));
        }

        long budgets = 0, attempts = 0, attemptNodes = 0;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (user, records) in users)
        {
            var (spent, live, liveNodes) = LoginLedger.Usage(records.Select(r => r.Record), epochOf.GetValueOrDefault(EpochKey(user)), now);
            if (!spent && live == 0)
            {
                if (records.FirstOrDefault(r => r.Node == Node) is { Record: not null } own)
                {
                    await DeleteIfAsync(LoginKey(Node, user), own.Revision, cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            budgets += spent ? 1 : 0;
            attempts += live;
            attemptNodes += liveNodes;
        }

        return new LoginStoreUsage(budgets, attempts, attemptNodes, unlocks.Count);
    }

    /// <inheritdoc />
    public async Task PublishStateVersionAsync(string node, long version, CancellationToken cancellationToken = default)
    {
        Own(node);
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        await UpdateOwnAsync(
            NodeKey(Node, "state-version"),
            stored =>
            {
                var published = stored is null ? -1 : long.Parse(stored, CultureInfo.InvariantCulture);
                return published > version ? throw new StaleStateVersionException(node, published, version)
                    : published == version ? null
                    : version.ToString(CultureInfo.InvariantCulture);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<long?> StateVersionAsync(string node, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        var key = NodeKey(node, "state-version");
        var (body, _, _) = await ReadSignedAsync(key, node, cancellationToken).ConfigureAwait(false);
        return body is null ? null : long.Parse(body, CultureInfo.InvariantCulture);
    }

    /// <summary>Puts this node's signed time under its lease (granting a new lease when the last one lapsed).</summary>
    public async Task HeartbeatAsync(string node, CancellationToken cancellationToken = default)
    {
        Own(node);
        var key = NodeKey(Node, "heartbeat");
        await leaseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A fresh lease each time, the previous one revoked after the put: one lease alive per node, and
            // no keep-alive stream to tend. The key vanishes at most the TTL after the last heartbeat.
            var granted = await CallAsync(options.CallTimeout, deadline => client.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)heartbeatTtl.TotalSeconds }, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
            var at = Milliseconds(clock.GetUtcNow()).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            await CallAsync(
                options.CallTimeout,
                deadline => client.PutAsync(new PutRequest { Key = Key(key), Value = ByteString.CopyFrom(values.Sign(key, at, 0)), Lease = granted.ID }, deadline: deadline, cancellationToken: cancellationToken),
                cancellationToken).ConfigureAwait(false);
            var previous = Interlocked.Exchange(ref lease, granted.ID);
            if (previous != 0)
            {
                try
                {
                    await client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = previous }, deadline: DateTime.UtcNow + options.CallTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (Grpc.Core.RpcException)
                {
                    // Lapsed already, or etcd is busy: it lapses by its TTL anyway.
                }
            }
        }
        finally
        {
            leaseGate.Release();
        }
    }

    /// <summary>The members whose heartbeat key is alive (their lease has not lapsed) and whose signed time is at most <paramref name="within"/> old.</summary>
    public async Task<IReadOnlyList<NodeHeartbeat>> LiveNodesAsync(TimeSpan within, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(within, TimeSpan.Zero);
        var nodes = values.Nodes.Order(StringComparer.Ordinal).ToList();
        var response = await ReadAsync(nodes.Select(n => NodeKey(n, "heartbeat")), cancellationToken).ConfigureAwait(false);
        var now = Milliseconds(clock.GetUtcNow());
        var cutoff = within >= now - DateTimeOffset.MinValue ? DateTimeOffset.MinValue : now - within;
        var live = new List<NodeHeartbeat>();
        for (var i = 0; i < nodes.Count; i++)
        {
            if (response[i] is { } kv)
            {
                var (body, _) = values.Open(NodeKey(nodes[i], "heartbeat"), nodes[i], kv.Value.Span, kv.ModRevision);
                var at = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(body, CultureInfo.InvariantCulture));
                if (at >= cutoff)
                {
                    live.Add(new NodeHeartbeat(nodes[i], at));
                }
            }
        }

        return live;
    }

    /// <summary>Revokes the heartbeat lease (the node is seen gone at once) and closes the client.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref lease, 0) is var held and not 0)
        {
            try
            {
                client.LeaseRevoke(new LeaseRevokeRequest { ID = held }, deadline: DateTime.UtcNow + TimeSpan.FromSeconds(1));
            }
            catch (Grpc.Core.RpcException)
            {
                // etcd unreachable: the lease lapses by its TTL.
            }
        }

        client.Dispose();
        leaseGate.Dispose();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Names the node and the endpoints only.</summary>
    public override string ToString() => $"{nameof(EtcdConsensusStore)} ({Node} at {string.Join(",", options.Endpoints)})";

    private static DateTimeOffset Milliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    /// <summary>Checks that <paramref name="node"/> is a well-formed id and this store's node (the only one it writes for).</summary>
    private void Own(string node)
    {
        Names.Id(node, nameof(node));
        if (!string.Equals(node, Node, StringComparison.Ordinal))
        {
            throw new ArgumentException($"this store writes for node {Node} only, not {node}", nameof(node));
        }
    }

    private string NodeKey(string node, string name) => $"{options.Prefix}nodes/{Component(node)}/{name}";

    private string LoginKey(string node, string user) => NodeKey(node, "logins/" + Component(user));

    private string EpochKey(string user) => $"{options.Prefix}unlocks/users/{Component(user)}";

    private string JournalKey(long sequence) => $"{options.Prefix}unlocks/journal/{sequence.ToString("D19", CultureInfo.InvariantCulture)}";

    private async Task<long> CursorAsync(string node, CancellationToken cancellationToken)
    {
        var (body, _, _) = await ReadSignedAsync(NodeKey(node, "unlock-cursor"), node, cancellationToken).ConfigureAwait(false);
        return body is null ? 0 : long.Parse(body, CultureInfo.InvariantCulture);
    }

    /// <summary>Every member's log for the user and the user's epoch, at one revision, with the revisions to compare against.</summary>
    private async Task<LoginView> ReadLoginsAsync(string user, CancellationToken cancellationToken)
    {
        var nodes = values.Nodes.ToList();
        var keys = nodes.Select(n => LoginKey(n, user)).Append(EpochKey(user)).ToList();
        var found = await ReadAsync(keys, cancellationToken).ConfigureAwait(false);
        var records = new Dictionary<string, NodeLoginRecord>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            if (found[i] is { } kv)
            {
                records[nodes[i]] = LoginRecordCodec.Decode(values.Open(keys[i], nodes[i], kv.Value.Span, kv.ModRevision).Body);
            }
        }

        var epoch = found[^1] is { } e ? long.Parse(e.Value.ToStringUtf8(), CultureInfo.InvariantCulture) : 0;
        var own = nodes.IndexOf(Node);
        var ownCounter = found[own] is { } ownKv ? values.Open(keys[own], Node, ownKv.Value.Span, ownKv.ModRevision).Counter : 0;
        return new LoginView(records, epoch, [.. keys.Zip(found, (k, kv) => (k, kv?.ModRevision ?? 0))], ownCounter);
    }

    /// <summary>Writes this node's key if no key of <paramref name="view"/> changed since it was read.</summary>
    private async Task<bool> WriteIfUnchangedAsync(LoginView view, string key, string body, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        foreach (var (read, revision) in view.Revisions)
        {
            txn.Compare.Add(new Compare { Key = Key(read), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = revision });
        }

        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Key(key), Value = ByteString.CopyFrom(values.Sign(key, body, view.OwnCounter)) } });
        var response = await CallAsync(options.CallTimeout, deadline => client.TransactionAsync(txn, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return response.Succeeded;
    }

    /// <summary>
    /// Read-modify-write of one of this node's keys: <paramref name="change"/> gets the stored body (null:
    /// absent) and returns the new one, or null to write nothing (then false). Retried when another writer
    /// (a second instance of this node, or root) got in between.
    /// </summary>
    private async Task<bool> UpdateOwnAsync(string key, Func<string?, string?> change, CancellationToken cancellationToken)
    {
        for (var race = 0; race < MaxRaces; race++)
        {
            var (stored, revision, counter) = await ReadOwnAsync(key, cancellationToken).ConfigureAwait(false);
            if (change(stored) is not { } body)
            {
                return false;
            }

            if (await PutIfAsync(key, revision, values.Sign(key, body, counter), cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        throw new ConsensusUnavailableException($"lost {MaxRaces} races for {key}");
    }

    private async Task<(string? Body, long Revision, long Counter)> ReadOwnAsync(string key, CancellationToken cancellationToken) =>
        await ReadSignedAsync(key, Node, cancellationToken).ConfigureAwait(false);

    private async Task<(string? Body, long Revision, long Counter)> ReadSignedAsync(string key, string owner, CancellationToken cancellationToken)
    {
        var found = (await ReadAsync([key], cancellationToken).ConfigureAwait(false))[0];
        if (found is null)
        {
            return (null, 0, 0);
        }

        var (body, counter) = values.Open(key, owner, found.Value.Span, found.ModRevision);
        return (body, found.ModRevision, counter);
    }

    /// <summary>Reads keys in one linearizable transaction (one revision); null where a key is absent.</summary>
    private async Task<Mvccpb.KeyValue?[]> ReadAsync(IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        foreach (var key in keys)
        {
            txn.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = Key(key) } });
        }

        var response = await CallAsync(options.CallTimeout, deadline => client.TransactionAsync(txn, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return [.. response.Responses.Select(r => r.ResponseRange.Kvs.Count > 0 ? r.ResponseRange.Kvs[0] : null)];
    }

    private Task<bool> PutIfAsync(string key, long revision, byte[] value, CancellationToken cancellationToken) =>
        CommitIfAsync(key, revision, new RequestOp { RequestPut = new PutRequest { Key = Key(key), Value = ByteString.CopyFrom(value) } }, cancellationToken);

    private Task<bool> DeleteIfAsync(string key, long revision, CancellationToken cancellationToken) =>
        CommitIfAsync(key, revision, new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Key(key) } }, cancellationToken);

    /// <summary>Runs <paramref name="operation"/> if <paramref name="key"/> is still at <paramref name="revision"/> (0: absent).</summary>
    private async Task<bool> CommitIfAsync(string key, long revision, RequestOp operation, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = Key(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = revision });
        txn.Success.Add(operation);
        var response = await CallAsync(options.CallTimeout, deadline => client.TransactionAsync(txn, deadline: deadline, cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return response.Succeeded;
    }

    private sealed record LoginView(Dictionary<string, NodeLoginRecord> Records, long Epoch, IReadOnlyList<(string Key, long Revision)> Revisions, long OwnCounter);
}
