using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Threshold.Client;
using Threshold.Contracts.V1;
using Threshold.Opaque.Client;
using Threshold.Opaque.Cluster;
using Grpc.Core;
using Threshold.Server;
using Threshold.Server.Rpc;
using Threshold.Storage.Consensus;

namespace Threshold.System.Tests;

/// <summary>
/// The aggregator limits registration and login calls per client address and per user id (issue #11,
/// item 5): a refused call is RESOURCE_EXHAUSTED over the real wire, reaches no node and changes no state.
/// </summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task CallsOverTheLimitsAreRefusedWithoutTouchingAnyNode()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var consensus = new InMemoryConsensusStore(clock);

        // Refills of an hour: nothing comes back while the test runs, so the counts below are exact.
        await using var cluster = await EmbeddedCluster.StartAsync(
            InProcessCluster.Options(3, 2) with
            {
                OverLoopbackTls = true,
                PoolTarget = 0,
                Consensus = consensus,
                Time = clock,
                LoginBudget = new LoginBudgetPolicy(10, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10)),
                RateLimits = new WalletRateLimits { PerClientBurst = 8, PerClientRefill = TimeSpan.FromHours(1), PerUserBurst = 2, PerUserRefill = TimeSpan.FromHours(1) },
            },
            ct);
        using var channel = ThresholdChannel.Create(cluster.AggregatorAddress!, X509Certificate2.CreateFromPem(cluster.AggregatorCertificatePem!));
        var rpc = new Wallet.WalletClient(channel);
        var alice = NewUserId();

        // Per user: two LoginStarts for alice pass, the third is refused before reaching any node.
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(3, (await rpc.LoginStartAsync(ForgedLogin(cluster, alice), cancellationToken: ct)).Responses.Count);
        }

        var perUser = await Assert.ThrowsAsync<RpcException>(() => rpc.LoginStartAsync(ForgedLogin(cluster, alice), cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, perUser.StatusCode);
        Assert.Equal(8, (await consensus.LoginBudgetAsync(alice, new LoginBudgetPolicy(10, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10)), ct)).TokensLeft);
        Assert.Equal(2, (await consensus.SweepLoginStateAsync(ct)).Attempts);
        Assert.All(cluster.Nodes, n => Assert.Equal(2, n.PendingLogins));

        // Per client: eight limited calls in all (the refused one counted too); other users' calls pass
        // until then, and then even a new user's is refused. The SDK calls this RateLimited.
        for (var i = 0; i < 5; i++)
        {
            await rpc.LoginStartAsync(ForgedLogin(cluster, NewUserId()), cancellationToken: ct);
        }

        await using var wallet = new ThresholdClient(new RpcWalletApi(ThresholdChannel.Create(cluster.AggregatorAddress!, X509Certificate2.CreateFromPem(cluster.AggregatorCertificatePem!))), cluster.Opaque, clock);
        await wallet.ConnectAsync(ct); // not a limited method
        var refused = await Assert.ThrowsAsync<ThresholdClientException>(() => wallet.LoginAsync(NewUserId(), "anything"u8.ToArray(), cancellationToken: ct));
        Assert.Equal(ClientErrorKind.RateLimited, refused.Kind);
        var perClient = await Assert.ThrowsAsync<RpcException>(() => rpc.LoginStartAsync(ForgedLogin(cluster, NewUserId()), cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, perClient.StatusCode);

        // Refused calls left no trace: seven attempts in the store, seven logins waiting at each node.
        Assert.Equal(7, (await consensus.SweepLoginStateAsync(ct)).Attempts);
        Assert.All(cluster.Nodes, n => Assert.Equal(7, n.PendingLogins));

        // HTTP/JSON callers (JSON transcoding of the same method) get the same refusal as 429 with the
        // google.rpc.Status in the body; the discovery document is not limited.
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        using var http = new HttpClient(handler);
        using var json = await http.PostAsync(new Uri(cluster.AggregatorAddress!, "/v1/register/start"), new StringContent("{}", global::System.Text.Encoding.UTF8, "application/json"), ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, json.StatusCode);
        using var body = global::System.Text.Json.JsonDocument.Parse(await json.Content.ReadAsStringAsync(ct));
        Assert.Equal((int)StatusCode.ResourceExhausted, body.RootElement.GetProperty("code").GetInt32());
        using var discovery = await http.GetAsync(new Uri(cluster.AggregatorAddress!, AggregatorRpc.DiscoveryPath), ct);
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);
    }

    private static string NewUserId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static LoginStartRequest ForgedLogin(EmbeddedCluster cluster, string user)
    {
        var client = new MultiServerClient(cluster.Opaque, new ClusterDescriptor(cluster.Nodes.Select(n => new Threshold.Opaque.Cluster.NodeDescriptor(n.NodeId)), 2), RandomNumberGenerator.Create());
        using var login = client.StartLogin(UserId.Parse(user), "a guess"u8);
        var request = new LoginStartRequest { UserId = user, AttemptId = ByteString.CopyFrom(login.AttemptId) };
        request.Ke1.AddRange(login.Requests.Select(r => new NodeBytes { NodeId = r.NodeId, Payload = ByteString.CopyFrom(r.KE1) }));
        return request;
    }
}
