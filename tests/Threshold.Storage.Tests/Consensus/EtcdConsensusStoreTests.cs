using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Threshold.Storage.Consensus;
using Threshold.Storage.Consensus.Etcd;
using Threshold.Storage.Tests.Support;

namespace Threshold.Storage.Tests.Consensus;

/// <summary>The etcd tests share one three-member cluster and run one at a time (some kill members).</summary>
[CollectionDefinition("etcd")]
public sealed class EtcdCollection : ICollectionFixture<EtcdCluster>;

/// <summary>The consensus store contract, against a real three-member etcd with one store per node.</summary>
[Collection("etcd")]
public sealed class EtcdConsensusStoreContractTests(EtcdCluster cluster) : ConsensusStoreContract
{
    public override async ValueTask DisposeAsync()
    {
        (Store as IDisposable)?.Dispose();
        await base.DisposeAsync();
    }

    protected override async Task<IConsensusStore> CreateAsync()
    {
        cluster.SkipUnlessRunning();
        return await EtcdConsensusView.CreateAsync(cluster, Clock, Ct);
    }
}

/// <summary>What only a store spread over nodes and etcd members must show.</summary>
[Collection("etcd")]
public sealed class EtcdConsensusStoreTests(EtcdCluster cluster) : IAsyncLifetime
{
    private static readonly byte[] Binding = Enumerable.Repeat((byte)0x5A, 32).ToArray();
    private static readonly string[] Three = ["node-1", "node-2", "node-3"];
    private readonly string prefix = $"/threshold/test-{Guid.NewGuid():N}/";
    private readonly List<IDisposable> opened = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        cluster.SkipUnlessRunning();
        using var root = Root();
        await root.SetUpAsync(EtcdCluster.NodeIds, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        opened.ForEach(d => d.Dispose());
        if (cluster.Unavailable is null)
        {
            await cluster.RestartStoppedAsync(); // whatever a test killed runs again for the next one
        }
    }

    [Fact]
    public async Task GuessesSpreadOverThreeNodesStopExactlyAtTheBudget()
    {
        var policy = new LoginBudgetPolicy(25, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10));
        var charged = await GuessUntilLockedAsync(Three.Select(Store).ToArray(), "mallory", policy, onCharge: null);
        Assert.Equal(25, charged);
        Assert.Equal(0, (await Store("node-4").LoginBudgetAsync("mallory", policy, Ct)).TokensLeft);
    }

    [Fact]
    public async Task KillingTheEtcdLeaderMidRunKeepsTheCountExact()
    {
        var policy = new LoginBudgetPolicy(30, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10));
        var stores = Three.Select(Store).ToArray();
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        var killer = Task.Run(async () =>
        {
            await killed.Task.WaitAsync(TimeSpan.FromSeconds(60), Ct);
            await cluster.KillAsync(await cluster.LeaderAsync(Ct));
        }, Ct);

        var charged = await GuessUntilLockedAsync(stores, "mallory", policy, onCharge: () =>
        {
            if (Interlocked.Increment(ref count) == 10)
            {
                killed.TrySetResult();
            }
        });
        await killer;
        Assert.Equal(30, charged);
        Assert.Equal(0, (await stores[0].LoginBudgetAsync("mallory", policy, Ct)).TokensLeft);
    }

    [Fact]
    public async Task EverythingSurvivesAFullEtcdRestart()
    {
        var policy = new LoginBudgetPolicy(10, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10));
        var node = Store("node-1");
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(LoginAdmissionOutcome.Charged, (await node.AdmitLoginAttemptAsync(Attempt("alice", i, "node-1"), policy, Ct)).Outcome);
        }

        await node.PublishStateVersionAsync("node-1", 41, Ct);
        for (var member = 0; member < 3; member++)
        {
            await cluster.KillAsync(member);
        }

        await cluster.RestartStoppedAsync();
        var fresh = Store("node-2");
        Assert.Equal(6, (await fresh.LoginBudgetAsync("alice", policy, Ct)).TokensLeft);
        Assert.Equal(41, await fresh.StateVersionAsync("node-1", Ct));
        await Assert.ThrowsAsync<StaleStateVersionException>(() => Store("node-1").PublishStateVersionAsync("node-1", 40, Ct));
    }

    [Fact]
    public async Task ANodeWithoutAnEtcdQuorumRefusesLogins()
    {
        var policy = new LoginBudgetPolicy(10, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10));
        var leader = await cluster.LeaderAsync(Ct);
        var survivor = (leader + 1) % 3;
        var node = Store("node-1", endpoints: [cluster.Endpoints[survivor]], callTimeout: TimeSpan.FromSeconds(3));
        Assert.Equal(LoginAdmissionOutcome.Charged, (await node.AdmitLoginAttemptAsync(Attempt("alice", 1, "node-1"), policy, Ct)).Outcome);

        await cluster.KillAsync(leader);
        await cluster.KillAsync((leader + 2) % 3);
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<ConsensusUnavailableException>(() => node.AdmitLoginAttemptAsync(Attempt("alice", 2, "node-1"), policy, Ct));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30)); // refused within the deadline, not hung

        // Back to a quorum: the refused attempt was not charged.
        await cluster.RestartStoppedAsync();
        Assert.Equal(9, (await node.LoginBudgetAsync("alice", policy, Ct)).TokensLeft);
    }

    [Fact]
    public async Task ANodesCertificateCannotWriteAnotherNodesKeys()
    {
        using var asNode1 = cluster.RawClient("node-1");
        await asNode1.PutAsync($"{prefix}nodes/node-1/probe", "mine", cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() => asNode1.PutAsync($"{prefix}nodes/node-2/logins/alice", "forged", cancellationToken: Ct));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        error = await Assert.ThrowsAsync<RpcException>(() => asNode1.PutAsync($"{prefix}unlocks/users/alice", "99", cancellationToken: Ct));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);

        // Reading everything is allowed: every node checks every other node's counts.
        Assert.Single((await asNode1.GetAsync($"{prefix}nodes/node-1/probe", cancellationToken: Ct)).Kvs);
    }

    [Fact]
    public async Task ValuesForgedOrReplayedByWhoeverWritesToEtcdAreRefused()
    {
        var policy = new LoginBudgetPolicy(10, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10));
        var node2 = Store("node-2");
        var reader = Store("node-1");
        using var root = cluster.RawClient("root");
        var key = $"{prefix}nodes/node-2/logins/alice";

        await node2.AdmitLoginAttemptAsync(Attempt("alice", 1, "node-2"), policy, Ct);
        var old = (await root.GetAsync(key, cancellationToken: Ct)).Kvs[0].Value;
        await node2.AdmitLoginAttemptAsync(Attempt("alice", 2, "node-2"), policy, Ct);
        Assert.Equal(8, (await reader.LoginBudgetAsync("alice", policy, Ct)).TokensLeft); // the reader has seen the newer log

        // Root replays node-2's older log (one attempt fewer): the reader refuses it rather than count less.
        await root.PutAsync(new Etcdserverpb.PutRequest { Key = ByteString.CopyFromUtf8(key), Value = old }, cancellationToken: Ct);
        var replayed = await Assert.ThrowsAsync<ConsensusIntegrityException>(() => reader.LoginBudgetAsync("alice", policy, Ct));
        Assert.Contains("replayed", replayed.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ConsensusIntegrityException>(() => reader.AdmitLoginAttemptAsync(Attempt("alice", 3, "node-1"), policy, Ct));

        // Root writes an empty log for node-2 signed by another key: refused by everyone, new readers included.
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = new SignedValue(long.MaxValue, LoginRecordCodec.Encode(NodeLoginRecord.Empty), forger.SignData(Encoding.UTF8.GetBytes("anything"), HashAlgorithmName.SHA256));
        await root.PutAsync(key, System.Text.Json.JsonSerializer.Serialize(forged, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)), cancellationToken: Ct);
        await Assert.ThrowsAsync<ConsensusIntegrityException>(() => Store("node-3").LoginBudgetAsync("alice", policy, Ct));

        // The same for state versions: a replayed lower version is refused by a reader that saw the higher.
        var versionKey = $"{prefix}nodes/node-2/state-version";
        await node2.PublishStateVersionAsync("node-2", 5, Ct);
        var five = (await root.GetAsync(versionKey, cancellationToken: Ct)).Kvs[0].Value;
        await node2.PublishStateVersionAsync("node-2", 6, Ct);
        Assert.Equal(6, await reader.StateVersionAsync("node-2", Ct));
        await root.PutAsync(new Etcdserverpb.PutRequest { Key = ByteString.CopyFromUtf8(versionKey), Value = five }, cancellationToken: Ct);
        await Assert.ThrowsAsync<ConsensusIntegrityException>(() => reader.StateVersionAsync("node-2", Ct));
    }

    [Fact]
    public async Task AHeartbeatVanishesWithItsLease()
    {
        var node = EtcdConsensusStore.Connect(cluster.Options("node-3", prefix), "node-3", cluster.Identities["node-3"], cluster.Identities, heartbeatTtl: TimeSpan.FromSeconds(2));
        await node.HeartbeatAsync("node-3", Ct);
        await node.HeartbeatAsync("node-3", Ct);
        var reader = Store("node-1");
        Assert.Equal(["node-3"], (await reader.LiveNodesAsync(TimeSpan.FromMinutes(1), Ct)).Select(h => h.Node));

        // Disposing revokes the lease: the node is gone at once, without waiting for a timeout.
        node.Dispose();
        Assert.Empty(await reader.LiveNodesAsync(TimeSpan.FromMinutes(1), Ct));
    }

    /// <summary>
    /// The latency a login pays for the consensus round trips: AdmitLoginAttempt against the three members
    /// over loopback TLS, sequential and with 8 concurrent callers (each call a fresh attempt of its own
    /// user, so callers do not race for one key). 1,000 calls each with THRESHOLD_ETCD_BENCH=1 (for
    /// docs/benchmarks.md §9), 100 otherwise; the figures go to the test output.
    /// </summary>
    [Fact]
    public async Task AdmitLatencyIsMeasured()
    {
        var calls = Environment.GetEnvironmentVariable("THRESHOLD_ETCD_BENCH") == "1" ? 1_000 : 100;
        var policy = new LoginBudgetPolicy(LoginBudgetPolicy.MaxBurst, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10));
        var node = Store("node-1");
        await node.AdmitLoginAttemptAsync(Attempt("warm-up", 0, "node-1"), policy, Ct);

        var sequential = new List<double>(calls);
        for (var i = 0; i < calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await node.AdmitLoginAttemptAsync(Attempt($"seq-{i}", i, "node-1"), policy, Ct);
            sequential.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        var concurrent = new ConcurrentBag<double>();
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async caller =>
        {
            for (var i = caller; i < calls; i += 8)
            {
                var started = Stopwatch.GetTimestamp();
                await node.AdmitLoginAttemptAsync(Attempt($"par-{i}", i, "node-1"), policy, Ct);
                concurrent.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        wall.Stop();

        TestContext.Current.SendDiagnosticMessage(
            $"AdmitLoginAttempt over 3 etcd members, loopback TLS, {calls} calls: sequential p50 {Percentile(sequential, 50):0.00} ms p99 {Percentile(sequential, 99):0.00} ms; " +
            $"8 concurrent p50 {Percentile(concurrent, 50):0.00} ms p99 {Percentile(concurrent, 99):0.00} ms, {calls / wall.Elapsed.TotalSeconds:0} admits/s");
        Assert.Equal(calls, concurrent.Count);
    }

    private static double Percentile(IEnumerable<double> samples, int percentile)
    {
        var sorted = samples.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>
    /// Up to 8 callers guess concurrently with fresh attempt ids, round robin over <paramref name="stores"/>,
    /// until the budget locks them out; a call that fails for want of a quorum is retried with the same
    /// attempt id (so that a guess charged just before the failure shows as AlreadyServed, not twice).
    /// Returns the guesses charged.
    /// </summary>
    private static async Task<int> GuessUntilLockedAsync(EtcdConsensusStore[] stores, string user, LoginBudgetPolicy policy, Action? onCharge)
    {
        var next = 0;
        var charged = 0;
        var outcomes = new ConcurrentBag<LoginAdmissionOutcome>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async caller =>
        {
            for (var guess = 0; guess < policy.Burst * 2; guess++)
            {
                var id = Interlocked.Increment(ref next);
                var store = stores[id % stores.Length];
                var outcome = await AdmitRetryingAsync(store, Attempt(user, id, store.Node), policy);
                outcomes.Add(outcome);
                if (outcome is LoginAdmissionOutcome.Charged or LoginAdmissionOutcome.AlreadyServed)
                {
                    Interlocked.Increment(ref charged);
                    onCharge?.Invoke();
                }
                else if (outcome == LoginAdmissionOutcome.Locked)
                {
                    return;
                }
            }
        }));
        Assert.All(outcomes, o => Assert.Contains(o, new[] { LoginAdmissionOutcome.Charged, LoginAdmissionOutcome.AlreadyServed, LoginAdmissionOutcome.Locked }));
        return charged;
    }

    private static async Task<LoginAdmissionOutcome> AdmitRetryingAsync(EtcdConsensusStore store, LoginAttempt attempt, LoginBudgetPolicy policy)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return (await store.AdmitLoginAttemptAsync(attempt, policy, Ct)).Outcome;
            }
            catch (ConsensusUnavailableException) when (tries < 20)
            {
                // A leader election in progress: the same attempt again (bounded).
            }
        }
    }

    private static LoginAttempt Attempt(string user, int n, string node) =>
        new(user, [.. BitConverter.GetBytes(n), .. new byte[12]], Binding, node);

    private EtcdAccess Root() => new(cluster.Options("root", prefix));

    private EtcdConsensusStore Store(string node) => Store(node, null, null);

    private EtcdConsensusStore Store(string node, IReadOnlyList<string>? endpoints, TimeSpan? callTimeout)
    {
        var store = cluster.Store(node, prefix, endpoints: endpoints, callTimeout: callTimeout);
        opened.Add(store);
        return store;
    }
}
