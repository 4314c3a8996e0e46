using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Aggregator;
using Threshold.Cli.Bench;
using Threshold.Client;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>
/// A warm-pool signature is one node round trip: one PartialSign call per signer carries the user's
/// sealed request and the presignature id; nothing else reaches a node. And the sealed request cannot be
/// stretched by the aggregator: not to another key or id, not to a third partial signature, not replayed.
/// </summary>
[Trait("Category", "Slow")]
public sealed class OneRoundTripSignTests
{
    private static readonly byte[] Password = "one round trip"u8.ToArray();

    [Fact]
    public async Task AWarmPoolSignatureCallsEachSignerOnceAndNothingElse()
    {
        var ct = TestContext.Current.CancellationToken;
        var counter = new NodeCallCounter();
        await using var cluster = await InProcessCluster.StartAsync(3, 2, faults: counter.Wrap);
        await using var client = cluster.Client();
        await client.ConnectAsync(ct);
        var user = await client.RegisterAsync(Password, ct);
        await client.LoginAsync(user, Password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);
        await cluster.Aggregator.DrainAsync();
        cluster.Aggregator.BackgroundPresigning = false; // no refill runs in the window counted
        Assert.True(cluster.Aggregator.Pool.Count(key.KeyId) >= 1);

        var before = counter.Snapshot();
        var digest = SHA256.HashData("counted"u8);
        var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);

        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
        Assert.Equal(2, report.Signers.Count);
        var calls = counter.Since(before);
        Assert.Equal(report.Signers.Order().Select(n => (n, nameof(INodeClient.PartialSignAsync))), calls.Keys.Order());
        Assert.All(calls.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task AClientThatNeverSawTheKeyLearnsItFromTheSignersReplies()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await InProcessCluster.StartAsync(3, 2);
        await using var owner = cluster.Client();
        await owner.ConnectAsync(ct);
        var user = await owner.RegisterAsync(Password, ct);
        await owner.LoginAsync(user, Password, cancellationToken: ct);
        var key = await owner.GenerateKeyAsync(Curve.P256, ct);

        var recorder = new RecordingWalletApi(cluster.WalletApi);
        await using var elsewhere = new ThresholdClient(recorder, cluster.Opaque);
        await elsewhere.ConnectAsync(ct);
        await elsewhere.LoginAsync(user, Password, cancellationToken: ct);
        var digest = SHA256.HashData("from another process"u8);
        var signature = await elsewhere.SignDigestAsync(key.KeyId, digest, ct);

        Assert.Null(recorder.LastGetPublicKey); // no lookup: the signers' sealed replies named the key
        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, signature));
    }

    [Fact]
    public async Task SigningWithAnUnknownKeyIsRefusedAsNoSuchKey()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await InProcessCluster.StartAsync(3, 2);
        await using var client = cluster.Client();
        await client.ConnectAsync(ct);
        var user = await client.RegisterAsync(Password, ct);
        await client.LoginAsync(user, Password, cancellationToken: ct);

        var error = await Assert.ThrowsAsync<ThresholdClientException>(() => client.SignDigestAsync("0123456789abcdef0123456789abcdef", new byte[32], ct));
        Assert.Equal(ClientErrorKind.Refused, error.Kind);
    }

    [Fact]
    public async Task ASealedRequestIsGoodOnlyForItsOwnKeyAndRequestId()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, withheld, key, other) = await WithheldSignAsync(ct);
        await using var _ = cluster;
        var presignature = cluster.Aggregator.Pool.Take(key.KeyId, [1, 2, 3])!;
        var node = cluster.Nodes[(int)presignature.Signers[0] - 1];
        var envelope = withheld.Requests.Single(e => e.NodeId == node.NodeId);

        // Paired with another of the user's keys: the node opens the request, sees it is not this one, and
        // answers only with its sealed refusal; the presignature is not touched.
        var otherKey = await node.PartialSignAsync(new PartialSignRequest { KeyId = other.KeyId, RequestId = withheld.RequestId, PresignatureId = presignature.PresignatureId, SealedRequest = envelope }, ct);
        Assert.True(otherKey.Sigma.IsEmpty);
        Assert.NotNull(otherKey.Reply);

        // The request was opened, so it cannot be delivered again (the channel refuses the replay), and the
        // node holds no authorisation from it.
        var replay = await Assert.ThrowsAsync<ThresholdException>(() => node.PartialSignAsync(new PartialSignRequest { KeyId = key.KeyId, RequestId = withheld.RequestId, PresignatureId = presignature.PresignatureId, SealedRequest = envelope }, ct));
        Assert.Equal(ErrorCode.PermissionDenied, replay.Code);
        var noAuthorisation = await Assert.ThrowsAsync<ThresholdException>(() => node.PartialSignAsync(new PartialSignRequest { KeyId = key.KeyId, RequestId = withheld.RequestId, PresignatureId = presignature.PresignatureId }, ct));
        Assert.Equal(ErrorCode.PermissionDenied, noAuthorisation.Code);

        // Paired with another request id at a second signer: refused the same way.
        var second = cluster.Nodes[(int)presignature.Signers[1] - 1];
        var otherId = await second.PartialSignAsync(new PartialSignRequest { KeyId = key.KeyId, RequestId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)), PresignatureId = presignature.PresignatureId, SealedRequest = withheld.Requests.Single(e => e.NodeId == second.NodeId) }, ct);
        Assert.True(otherId.Sigma.IsEmpty);
    }

    [Fact]
    public async Task ASignRequestAllowsTwoPartialSignaturesAndNoThird()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, withheld, key, _) = await WithheldSignAsync(ct);
        await using var _c = cluster;
        await cluster.Aggregator.WarmUpAsync(key.KeyId, 6, ct);
        var node = cluster.Nodes[0];
        var presignatures = Enumerable.Range(0, 3).Select(_ => cluster.Aggregator.Pool.Take(key.KeyId, [1, 2, 3]) ?? cluster.Aggregator.Pool.Take(key.KeyId, [1, 3])).ToList();
        Assert.All(presignatures, p => Assert.Contains(1u, p!.Signers));
        var envelope = withheld.Requests.Single(e => e.NodeId == node.NodeId);

        var first = await node.PartialSignAsync(new PartialSignRequest { KeyId = key.KeyId, RequestId = withheld.RequestId, PresignatureId = presignatures[0]!.PresignatureId, SealedRequest = envelope }, ct);
        var hedge = await node.PartialSignAsync(new PartialSignRequest { KeyId = key.KeyId, RequestId = withheld.RequestId, PresignatureId = presignatures[1]!.PresignatureId }, ct);
        var third = await Assert.ThrowsAsync<ThresholdException>(() => node.PartialSignAsync(new PartialSignRequest { KeyId = key.KeyId, RequestId = withheld.RequestId, PresignatureId = presignatures[2]!.PresignatureId }, ct));

        Assert.False(first.Sigma.IsEmpty);
        Assert.NotNull(first.Reply);
        Assert.False(hedge.Sigma.IsEmpty);
        Assert.Null(hedge.Reply);
        Assert.Equal(first.Digest, hedge.Digest);
        Assert.Equal(ErrorCode.PermissionDenied, third.Code);
    }

    [Fact]
    public async Task ASignRequestSubmittedOnItsOwnAuthorisesNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, withheld, key, _) = await WithheldSignAsync(ct);
        await using var _c = cluster;
        var node = cluster.Nodes[0];
        await node.SubmitAsync(withheld.Requests.Single(e => e.NodeId == node.NodeId), ct); // answered with a sealed refusal

        var presignature = cluster.Aggregator.Pool.Take(key.KeyId, [1, 2]) ?? cluster.Aggregator.Pool.Take(key.KeyId, [1, 3]);
        var error = await Assert.ThrowsAsync<ThresholdException>(() => node.PartialSignAsync(new PartialSignRequest { KeyId = key.KeyId, RequestId = withheld.RequestId, PresignatureId = presignature!.PresignatureId }, ct));
        Assert.Equal(ErrorCode.PermissionDenied, error.Code);
    }

    /// <summary>A cluster with a user, two keys, a warm pool, and one sign request the aggregator withheld (never delivered).</summary>
    private static async Task<(InProcessCluster Cluster, SignRequest Withheld, KeyInfo Key, KeyInfo Other)> WithheldSignAsync(CancellationToken ct)
    {
        var cluster = await InProcessCluster.StartAsync(3, 2);
        var withholding = new WithholdingWalletApi(cluster.WalletApi);
        await using var client = new ThresholdClient(withholding, cluster.Opaque);
        await client.ConnectAsync(ct);
        var user = await client.RegisterAsync(Password, ct);
        await client.LoginAsync(user, Password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);
        var other = await client.GenerateKeyAsync(Curve.Secp256k1, ct);
        await cluster.Aggregator.DrainAsync();
        await Assert.ThrowsAsync<ThresholdClientException>(() => client.SignDigestAsync(key.KeyId, SHA256.HashData("withheld"u8), ct));
        return (cluster, withholding.Withheld!, key, other);
    }

    /// <summary>An aggregator that keeps the sign request instead of delivering it.</summary>
    private sealed class WithholdingWalletApi(IWalletApi inner) : DelegatingWalletApi(inner)
    {
        public SignRequest? Withheld { get; private set; }

        public override Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken)
        {
            Withheld = request.Clone();
            return Task.FromResult(new SignResponse { Failure = new OperationFailure { Reason = "withheld" } });
        }
    }
}
