using System.Security.Cryptography;
using Threshold.Aggregator;
using Threshold.Contracts.V1;
using Threshold.Server;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>
/// A node that hangs (a stopped process: it accepts calls and never answers) must not hold up anyone.
/// The aggregator's call deadline is set to ten minutes here, so an operation that waited for the hung
/// node would not finish within the test's own timeout: the tests fail by hanging, without measuring time.
/// </summary>
[Trait("Category", "Slow")]
public sealed class HungNodeTests
{
    private const int TestTimeout = 180_000;

    [Fact(Timeout = TestTimeout)]
    public async Task LoginAndSigningDoNotWaitForAHungNode()
    {
        var ct = TestContext.Current.CancellationToken;
        var nodes = new List<HangingNode>();
        await using var cluster = await EmbeddedCluster.StartAsync(
            InProcessCluster.Options(3, 2) with
            {
                PoolTarget = 2,
                CallTimeout = TimeSpan.FromMinutes(10),
                WrapNodeClient = node =>
                {
                    var hanging = new HangingNode(node);
                    nodes.Add(hanging);
                    return hanging;
                },
            },
            ct);
        await using var client = new Threshold.Client.ThresholdClient(cluster.WalletApi, cluster.Opaque);
        await client.ConnectAsync(ct);
        var password = "one node stopped"u8.ToArray();
        var user = await client.RegisterAsync(password, ct); // registration and key generation need every node
        await client.LoginAsync(user, password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);
        await cluster.Aggregator.DrainAsync();
        await client.LogoutAsync(ct);

        var hung = nodes.Single(n => n.NodeId == "node-3");
        hung.Hang();
        await client.LoginAsync(user, password, cancellationToken: ct);
        for (var i = 0; i < 5; i++)
        {
            var digest = SHA256.HashData(global::System.Text.Encoding.UTF8.GetBytes($"while node-3 is stopped {i}"));
            var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);
            Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
            Assert.DoesNotContain("node-3", report.Signers);
        }

        Assert.True(hung.Hung > 0); // it was asked, and not waited for
        hung.Release();
    }

    [Fact(Timeout = TestTimeout)]
    public async Task ASignerThatHangsIsHedgedWithAnotherSignerSet()
    {
        var ct = TestContext.Current.CancellationToken;
        var nodes = new List<HangingNode>();
        await using var cluster = await EmbeddedCluster.StartAsync(
            InProcessCluster.Options(3, 2) with
            {
                PoolTarget = 0,
                CallTimeout = TimeSpan.FromMinutes(10),
                WrapNodeClient = node =>
                {
                    var hanging = new HangingNode(node) { OnlyPartialSignatures = true };
                    nodes.Add(hanging);
                    return hanging;
                },
            },
            ct);
        await using var client = new Threshold.Client.ThresholdClient(cluster.WalletApi, cluster.Opaque);
        await client.ConnectAsync(ct);
        var password = "a signer stalls"u8.ToArray();
        var user = await client.RegisterAsync(password, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.P256, ct);

        // node-1 answers everything but never returns its partial signature: the first signer set is
        // nodes 1 and 2; after the hedge delay nodes 2 and 3 presign and sign the same digest.
        var stalled = nodes.Single(n => n.NodeId == "node-1");
        stalled.Hang();
        var digest = SHA256.HashData("node-1 stalls on its partial signature"u8);
        var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);
        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
        Assert.Equal(["node-2", "node-3"], report.Signers.Order());
        stalled.Release();
    }

    /// <summary>A node that, once told to, takes calls and never answers them (until released or cancelled by the caller).</summary>
    private sealed class HangingNode(INodeClient inner) : DelegatingNodeClient(inner)
    {
        private TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool hanging;
        private int hung;

        /// <summary>Hang only partial-signature calls.</summary>
        public bool OnlyPartialSignatures { get; init; }

        /// <summary>Calls that hung so far.</summary>
        public int Hung => Volatile.Read(ref hung);

        public void Hang()
        {
            released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            hanging = true;
        }

        public void Release()
        {
            hanging = false;
            released.TrySetResult();
        }

        public override Task<NodeLoginStartResponse> LoginStartAsync(NodeLoginStartRequest request, CancellationToken cancellationToken) => Gate(() => base.LoginStartAsync(request, cancellationToken), cancellationToken);

        public override Task<NodeLoginFinishResponse> LoginFinishAsync(NodeLoginFinishRequest request, CancellationToken cancellationToken) => Gate(() => base.LoginFinishAsync(request, cancellationToken), cancellationToken);

        public override Task<ChannelEnvelope> SubmitAsync(ChannelEnvelope request, CancellationToken cancellationToken) => Gate(() => base.SubmitAsync(request, cancellationToken), cancellationToken);

        public override Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken) => Gate(() => base.StartProtocolAsync(request, cancellationToken), cancellationToken);

        public override Task<ProtocolStep> DeliverAsync(DeliverRequest request, CancellationToken cancellationToken) => Gate(() => base.DeliverAsync(request, cancellationToken), cancellationToken);

        public override Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken) => Gate(() => base.PartialSignAsync(request, cancellationToken), cancellationToken, partial: true);

        private async Task<T> Gate<T>(Func<Task<T>> call, CancellationToken cancellationToken, bool partial = false)
        {
            if (hanging && (partial || !OnlyPartialSignatures))
            {
                Interlocked.Increment(ref hung);
                await released.Task.WaitAsync(cancellationToken);
            }

            return await call();
        }
    }
}
