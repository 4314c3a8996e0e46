using System.Security.Cryptography;
using Threshold.Aggregator;
using Threshold.Contracts.V1;
using Threshold.Node;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>A node that stops answering, before or during a protocol run, is reported, and t other nodes still sign.</summary>
[Trait("Category", "Slow")]
public sealed class UnresponsiveNodeTests
{
    [Fact]
    public async Task SigningGoesOnWithoutANodeThatWentDown()
    {
        var ct = TestContext.Current.CancellationToken;
        var switchable = new List<SwitchableNode>();
        await using var cluster = await InProcessCluster.StartAsync(3, 2, faults: node =>
        {
            var wrapped = new SwitchableNode(node);
            switchable.Add(wrapped);
            return wrapped;
        });
        await using var client = cluster.Client();
        await client.ConnectAsync(ct);
        var password = "keep going"u8.ToArray();
        var user = await client.RegisterAsync(password, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.P256, ct);
        await cluster.Aggregator.DrainAsync();

        // node-1 goes down: the ready presignatures (signers 1 and 2) are useless, nodes 2 and 3 presign anew.
        switchable.Single(n => n.NodeId == "node-1").Down = true;
        var digest = SHA256.HashData("node-1 is down"u8);
        var signature = await client.SignDigestAsync(key.KeyId, digest, ct);
        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, signature));
        await cluster.Aggregator.DrainAsync();

        // With two nodes down the cluster reports it cannot sign, naming the missing node.
        switchable.Single(n => n.NodeId == "node-2").Down = true;
        var error = await Assert.ThrowsAsync<Threshold.Client.ThresholdClientException>(() => client.SignDigestAsync(key.KeyId, digest, ct));
        Assert.Equal(Threshold.Client.ClientErrorKind.OperationFailed, error.Kind);
        Assert.Contains("node-1", error.Failure!.UnresponsiveNodes);
        Assert.Contains("node-2", error.Failure.UnresponsiveNodes);
    }

    [Fact]
    public async Task ANodeThatFallsSilentMidProtocolIsLeftOutAndOthersSign()
    {
        var ct = TestContext.Current.CancellationToken;
        var switchable = new List<SwitchableNode>();
        await using var cluster = await InProcessCluster.StartAsync(3, 2, poolTarget: 0, faults: node =>
        {
            var wrapped = new SwitchableNode(node);
            switchable.Add(wrapped);
            return wrapped;
        });
        await using var client = cluster.Client();
        await client.ConnectAsync(ct);
        var password = "half there"u8.ToArray();
        var user = await client.RegisterAsync(password, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);

        // node-1 accepts the sign request but never answers in presigning: nodes 2 and 3 presign and sign.
        switchable.Single(n => n.NodeId == "node-1").SilentInProtocols = true;
        var digest = SHA256.HashData("node-1 went quiet"u8);
        var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);
        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
        Assert.Equal(["node-2", "node-3"], report.Signers.Order());
        Assert.Equal(["node-1"], report.Excluded!.UnresponsiveNodes);
        Assert.Empty(report.Excluded.Culprits); // silence is reported, not blamed
    }

    /// <summary>A node client that can be switched off: every call then fails as unreachable.</summary>
    private sealed class SwitchableNode(INodeClient inner) : INodeClient
    {
        public bool Down { get; set; }

        /// <summary>Answers wallet requests but not protocol rounds.</summary>
        public bool SilentInProtocols { get; set; }

        public string NodeId => inner.NodeId;

        public Task<NodeInfo> GetNodeInfoAsync(CancellationToken cancellationToken) => Call(() => inner.GetNodeInfoAsync(cancellationToken));

        public Task<NodeBytesResponse> RegisterStartAsync(NodeBytesRequest request, CancellationToken cancellationToken) => Call(() => inner.RegisterStartAsync(request, cancellationToken));

        public Task<NodeRegistrationAck> RegisterFinishAsync(NodeRegistrationUpload request, CancellationToken cancellationToken) => Call(() => inner.RegisterFinishAsync(request, cancellationToken));

        public Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken) => Call(() => inner.LoginStartAsync(request, cancellationToken));

        public Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken) => Call(() => inner.LoginFinishAsync(request, cancellationToken));

        public Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope request, CancellationToken cancellationToken) => Call(() => inner.SubmitAsync(request, cancellationToken));

        public Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken) => Call(() => inner.StartProtocolAsync(request, cancellationToken), SilentInProtocols);

        public Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken) => Call(() => inner.DeliverAsync(request, cancellationToken), SilentInProtocols);

        public Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken) => Call(() => inner.PartialSignAsync(request, cancellationToken));

        private Task<T> Call<T>(Func<Task<T>> call, bool silent = false) => Down || silent ? throw new NodeCallException(NodeId, null, unavailable: true, "unreachable") : call();
    }
}
