using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Threshold.Contracts;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator.Tests;

/// <summary>
/// Pins <see cref="ClusterNodes"/>' fan-out with fake nodes: a quorum call returns once t nodes answered
/// without waiting for a node that never answers, <see cref="ClusterNodes.Known{T}"/> and
/// <see cref="ClusterNodes.EveryNode{T}"/> refuse unknown or repeated nodes, and a call that too many
/// nodes refuse for want of a session fails as <see cref="ErrorCode.Unauthenticated"/>.
/// </summary>
public sealed class ClusterNodesTests
{
    [Fact]
    public async Task A_quorum_call_returns_without_the_node_that_never_answers()
    {
        await using var cluster = await StartAsync(3, threshold: 2);
        var never = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new Dictionary<string, NodeCallException?>();

        var results = await cluster.EachAsync(
            Items(3),
            (node, item, ct) => node.NodeId == "node-3" ? never.Task : Task.FromResult($"{node.NodeId}:{item}"),
            TestContext.Current.CancellationToken,
            errors: errors,
            quorum: 2);

        Assert.Equal("node-1:1", results["node-1"]);
        Assert.Equal("node-2:2", results["node-2"]);
        Assert.Null(results["node-3"]);
        Assert.False(never.Task.IsCompleted);
        Assert.True(errors.ContainsKey("node-3"));
        Assert.Null(errors["node-3"]); // not waited for: no refusal to report
    }

    [Fact]
    public async Task A_call_every_node_answers_returns_every_reply()
    {
        await using var cluster = await StartAsync(3, threshold: 2);
        var results = await cluster.AllAsync(
            Items(3).ToDictionary(x => x.NodeId, x => x.Item),
            (node, item, ct) => Task.FromResult($"{node.NodeId}:{item}"),
            TestContext.Current.CancellationToken);
        Assert.Equal(["node-1:1", "node-2:2", "node-3:3"], results.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Value));
    }

    [Fact]
    public async Task Known_refuses_unknown_and_repeated_nodes()
    {
        await using var cluster = await StartAsync(3, threshold: 2);

        Assert.Equal(["node-2", "node-1"], cluster.Known([("node-2", 0), ("node-1", 0)]).Select(x => x.NodeId));
        var unknown = Assert.Throws<ThresholdException>(() => cluster.Known([("node-1", 0), ("node-9", 0)]).ToList());
        Assert.Equal(ErrorCode.InvalidArgument, unknown.Code);
        var repeated = Assert.Throws<ThresholdException>(() => cluster.Known([("node-1", 0), ("node-1", 0)]).ToList());
        Assert.Equal(ErrorCode.InvalidArgument, repeated.Code);
    }

    [Fact]
    public async Task EveryNode_wants_each_node_exactly_once()
    {
        await using var cluster = await StartAsync(3, threshold: 2);

        Assert.Equal(3, cluster.EveryNode(Items(3)).Count);
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<ThresholdException>(() => cluster.EveryNode(Items(2))).Code);
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<ThresholdException>(() => cluster.EveryNode([.. Items(3), ("node-4", 4)])).Code);
        Assert.Equal(ErrorCode.InvalidArgument, Assert.Throws<ThresholdException>(() => cluster.EveryNode([.. Items(2), ("node-2", 2)])).Code);
    }

    [Fact]
    public async Task Too_many_sessionless_refusals_fail_as_unauthenticated()
    {
        await using var cluster = await StartAsync(3, threshold: 2);

        var error = await Assert.ThrowsAsync<ThresholdException>(() => cluster.EachAsync(
            Items(3),
            (node, item, ct) => node.NodeId == "node-1"
                ? Task.FromResult("ok")
                : Task.FromException<string>(new NodeCallException(node.NodeId, ErrorCode.Unauthenticated, unavailable: false, "no session")),
            TestContext.Current.CancellationToken,
            sessionQuorum: 2));

        Assert.Equal(ErrorCode.Unauthenticated, error.Code);
    }

    [Fact]
    public async Task One_sessionless_refusal_within_the_quorum_is_only_a_missing_reply()
    {
        await using var cluster = await StartAsync(3, threshold: 2);

        var results = await cluster.EachAsync(
            Items(3),
            (node, item, ct) => node.NodeId == "node-3"
                ? Task.FromException<string>(new NodeCallException(node.NodeId, ErrorCode.Unauthenticated, unavailable: false, "no session"))
                : Task.FromResult("ok"),
            TestContext.Current.CancellationToken,
            sessionQuorum: 2);

        Assert.Null(results["node-3"]);
        Assert.Equal("ok", results["node-1"]);
    }

    private static IEnumerable<(string NodeId, int Item)> Items(int count) =>
        Enumerable.Range(1, count).Select(i => ($"node-{i}", i));

    private static async Task<ClusterNodes> StartAsync(int count, int threshold)
    {
        var members = Enumerable.Range(1, count).Select(i => new NodeDescriptor
        {
            NodeId = $"node-{i}",
            Party = (uint)i,
            IdentityKey = ByteString.CopyFrom((byte)i, 1),
            AgreementKey = ByteString.CopyFrom((byte)i, 2),
        }).ToList();
        var options = new AggregatorOptions
        {
            Nodes = [.. members.Select(m => new FakeNode(m))],
            Members = members,
            Threshold = threshold,
            CallTimeout = TimeSpan.FromHours(1), // only the quorum logic ends a call to a hung node
            ProbeInterval = TimeSpan.FromHours(1),
            ProbeTimeout = TimeSpan.FromHours(1),
        };
        var cluster = new ClusterNodes(options, NullLogger.Instance);
        await cluster.StartAsync(members, TestContext.Current.CancellationToken);
        return cluster;
    }

    /// <summary>A node that answers its probes with its configured keys; the tests' calls say how it answers the rest.</summary>
    private sealed class FakeNode(NodeDescriptor descriptor) : INodeClient
    {
        public string NodeId => descriptor.NodeId;

        public Task<NodeInfo> GetNodeInfoAsync(CancellationToken cancellationToken) => Task.FromResult(new NodeInfo
        {
            NodeId = descriptor.NodeId,
            Party = descriptor.Party,
            IdentityKey = descriptor.IdentityKey,
            AgreementKey = descriptor.AgreementKey,
        });

        public Task<NodeBytesResponse> RegisterStartAsync(NodeBytesRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<NodeRegistrationAck> RegisterFinishAsync(NodeRegistrationUpload request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
