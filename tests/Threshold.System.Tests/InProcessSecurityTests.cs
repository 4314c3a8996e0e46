using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Aggregator;
using Threshold.Client;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>What the cluster refuses: wrong passwords, other users' keys, forged or replayed requests.</summary>
[Trait("Category", "Slow")]
public sealed class InProcessSecurityTests
{
    private static readonly byte[] Password = "correct horse battery staple"u8.ToArray();

    private static async Task<(InProcessCluster Cluster, ThresholdClient Client, string User, KeyInfo Key)> SignedInAsync(CancellationToken ct)
    {
        var cluster = await InProcessCluster.StartAsync(3, 2);
        var client = cluster.Client();
        await client.ConnectAsync(ct);
        var user = await client.RegisterAsync(Password, ct);
        await client.LoginAsync(user, Password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);
        return (cluster, client, user, key);
    }

    [Fact]
    public async Task WrongPasswordAndUnknownUserFailAlike()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await InProcessCluster.StartAsync(3, 2);
        await using var client = cluster.Client();
        await client.ConnectAsync(ct);
        var user = await client.RegisterAsync(Password, ct);
        var wrong = await Assert.ThrowsAsync<ThresholdClientException>(() => client.LoginAsync(user, "wrong"u8.ToArray(), cancellationToken: ct));
        var unknown = await Assert.ThrowsAsync<ThresholdClientException>(() => client.LoginAsync("0123456789abcdef0123456789abcdef", Password, cancellationToken: ct));
        Assert.Equal(ClientErrorKind.LoginFailed, wrong.Kind);
        Assert.Equal(wrong.Kind, unknown.Kind);
        Assert.Equal(wrong.Message, unknown.Message);
    }

    [Fact]
    public async Task LoginWithTNodesSignsAndFewerIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, owner, user, key) = await SignedInAsync(ct);
        await using var _ = cluster;
        await using var __ = owner;
        await using var client = cluster.Client();
        await client.ConnectAsync(ct);
        await client.LoginAsync(user, Password, ["node-1", "node-3"], ct);
        var digest = SHA256.HashData("two of three"u8);
        var signature = await client.SignDigestAsync(key.KeyId, digest, ct);
        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, signature));

        await using var lonely = cluster.Client();
        await lonely.ConnectAsync(ct);
        var error = await Assert.ThrowsAsync<ThresholdClientException>(() => lonely.LoginAsync(user, Password, ["node-2"], ct));
        Assert.Equal(ClientErrorKind.TooFewNodes, error.Kind);
        Assert.Empty(lonely.SessionNodes);
    }

    [Fact]
    public async Task AnotherUsersKeyLooksLikeNoKey()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, owner, _, key) = await SignedInAsync(ct);
        await using var _c = cluster;
        await using var _o = owner;
        await using var mallory = cluster.Client();
        await mallory.ConnectAsync(ct);
        var other = await mallory.RegisterAsync("mallory's password"u8.ToArray(), ct);
        await mallory.LoginAsync(other, "mallory's password"u8.ToArray(), cancellationToken: ct);
        var error = await Assert.ThrowsAsync<ThresholdClientException>(() => mallory.GetPublicKeyAsync(key.KeyId, ct));
        Assert.Equal(ClientErrorKind.Refused, error.Kind);
        var missing = await Assert.ThrowsAsync<ThresholdClientException>(() => mallory.GetPublicKeyAsync("no-such-key", ct));
        Assert.Equal(error.Message, missing.Message);
    }

    [Fact]
    public async Task TheAggregatorCannotSignWithoutTheUser()
    {
        var ct = TestContext.Current.CancellationToken;
        var (cluster, client, _, key) = await SignedInAsync(ct);
        await using var _c = cluster;
        await using var _o = client;
        await cluster.Aggregator.DrainAsync();
        var presignature = cluster.Aggregator.Pool.Take(key.KeyId, [1, 2, 3]);
        Assert.NotNull(presignature);
        var node = cluster.Nodes[0];
        var forged = await Assert.ThrowsAsync<ThresholdException>(() => node.PartialSignAsync(new PartialSignRequest
        {
            KeyId = key.KeyId,
            RequestId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
            PresignatureId = presignature!.PresignatureId,
        }, ct));
        Assert.Equal(ErrorCode.PermissionDenied, forged.Code);
    }

    [Fact]
    public async Task ReplayedSealedRequestsAreRefusedAndNothingChanges()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await InProcessCluster.StartAsync(3, 2);
        var recorder = new RecordingWalletApi(new Threshold.Server.InProcessWalletApi(cluster.Aggregator));
        await using var client = new ThresholdClient(recorder, cluster.Opaque);
        await client.ConnectAsync(ct);
        var user = await client.RegisterAsync(Password, ct);
        await client.LoginAsync(user, Password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.P256, ct);
        var digest = SHA256.HashData("once"u8);
        var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);

        // The aggregator replays the user's sealed sign request to a signer: the channel refuses it.
        var replayed = recorder.LastSign!.Requests.First(e => report.Signers.Contains(e.NodeId));
        var node = cluster.Nodes.Single(n => n.NodeId == replayed.NodeId);
        var presignature = cluster.Aggregator.Pool.Take(key.KeyId, [1, 2, 3]);
        var error = await Assert.ThrowsAsync<ThresholdException>(() => node.PartialSignAsync(new PartialSignRequest { KeyId = key.KeyId, RequestId = recorder.LastSign.RequestId, PresignatureId = presignature?.PresignatureId ?? ByteString.Empty, SealedRequest = replayed }, ct));
        Assert.Equal(ErrorCode.PermissionDenied, error.Code);
        Assert.Equal(ErrorCode.PermissionDenied, (await Assert.ThrowsAsync<ThresholdException>(() => node.SubmitAsync(replayed, ct))).Code);

        // And replaying the whole call cannot produce a second signature.
        var again = await cluster.Aggregator.SignAsync(recorder.LastSign, ct);
        Assert.NotNull(again.Failure);

        // The user can still sign afterwards.
        var signature = await client.SignDigestAsync(key.KeyId, SHA256.HashData("twice"u8), ct);
        Assert.NotNull(signature);
    }

    [Fact]
    public async Task WrongSessionIdIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await InProcessCluster.StartAsync(2, 2);
        var envelope = new ChannelEnvelope { NodeId = "node-1", SessionId = ByteString.CopyFrom(new byte[16]), Counter = 1, Ciphertext = ByteString.CopyFrom(new byte[40]) };
        var error = await Assert.ThrowsAsync<ThresholdException>(() => cluster.Nodes[0].SubmitAsync(envelope, ct));
        Assert.Equal(ErrorCode.Unauthenticated, error.Code);
    }
}
