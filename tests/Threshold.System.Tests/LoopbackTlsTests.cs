using System.Net.Http;
using System.Security.Cryptography;
using Threshold.Client;
using Threshold.Server;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>The whole system over real sockets: every node and the aggregator serve gRPC over TLS on loopback.</summary>
[Trait("Category", "Slow")]
public sealed class LoopbackTlsTests
{
    private static Task<EmbeddedCluster> StartAsync(CancellationToken ct) => EmbeddedCluster.StartAsync(
        InProcessCluster.Options(3, 2) with
        {
            PoolTarget = 4,
            OverLoopbackTls = true,
        },
        ct);

    [Theory]
    [InlineData("secp256k1")]
    [InlineData("P-256")]
    public async Task TwentySignaturesOverTlsVerifyWithDotNetsEcdsa(string curveName)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await StartAsync(ct);
        var wallet = new RecordingWalletApi(cluster.WalletApi);
        await using var client = new ThresholdClient(wallet, cluster.Opaque);
        await client.ConnectAsync(ct);
        var password = "over the wire"u8.ToArray();
        var user = await client.RegisterAsync(password, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.FromName(curveName), ct);
        for (var i = 0; i < 20; i++)
        {
            var (signature, digest) = await client.SignMessageAsync(key.KeyId, global::System.Text.Encoding.UTF8.GetBytes($"message {i}"), ct);
            Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, signature), $"signature {i}");
        }

        await client.GetPublicKeyAsync(key.KeyId, ct);
        await client.LogoutAsync(ct);

        // Over gRPC too, a request in a closed session comes back as UNAUTHENTICATED: log in again.
        var replayed = await Assert.ThrowsAsync<ThresholdClientException>(() => cluster.WalletApi.GetPublicKeyAsync(wallet.LastGetPublicKey!, ct));
        Assert.Equal(ClientErrorKind.NotLoggedIn, replayed.Kind);
        Assert.StartsWith("Unauthenticated", replayed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiscoveryDocumentDescribesTheCluster()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await StartAsync(ct);
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);
        var json = await http.GetStringAsync(new Uri(cluster.AggregatorAddress!, "/.well-known/threshold-signing"), ct);
        var info = Threshold.Contracts.V1.ClusterInfo.Parser.ParseJson(json);
        Assert.Equal(3u, info.NodesTotal);
        Assert.Equal(2u, info.Threshold);
        Assert.Equal(3, info.Nodes.Count);
        Assert.Matches("^[0-9]{6}$", info.Fingerprint);
    }
}
