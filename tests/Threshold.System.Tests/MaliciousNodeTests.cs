using System.Security.Cryptography;
using Threshold.Cggmp.Presigning;
using Threshold.Client;
using Threshold.Curves;
using Threshold.Server;

namespace Threshold.System.Tests;

/// <summary>A node that cheats in presigning is named, with evidence, in the failure the wallet receives.</summary>
[Trait("Category", "Slow")]
public sealed class MaliciousNodeTests
{
    [Fact]
    public async Task ANodeThatCheatsIsNamedToTheWallet()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await EmbeddedCluster.StartAsync(
            InProcessCluster.Options(3, 2) with
            {
                PoolTarget = 0,
                OverLoopbackTls = true,
                MaliciousSigner = ("node-2", new PresignFaults(Delta: d => d + Scalar.One(d.Curve))),
            },
            ct);
        await using var client = new ThresholdClient(cluster.WalletApi, cluster.Opaque);
        await client.ConnectAsync(ct);
        var password = "watch node-2"u8.ToArray();
        var user = await client.RegisterAsync(password, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);

        var error = await Assert.ThrowsAsync<ThresholdClientException>(() => client.SignDigestAsync(key.KeyId, SHA256.HashData("no signature"u8), ct));
        Assert.Equal(ClientErrorKind.OperationFailed, error.Kind);
        var culprit = Assert.Single(error.Failure!.Culprits, c => c.NodeId == "node-2");
        Assert.Equal(PresignChecks.IdentificationDecryption, culprit.Check);
        Assert.NotEmpty(culprit.Evidence);
        Assert.All(error.Failure.Culprits, c => Assert.Equal("node-2", c.NodeId)); // no honest node is blamed
    }
}
