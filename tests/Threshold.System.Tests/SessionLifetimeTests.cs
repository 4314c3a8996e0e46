using Threshold.Client;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Server;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>Sessions end after their idle timeout and lifetime, and after logout.</summary>
[Trait("Category", "Slow")]
public sealed class SessionLifetimeTests
{
    [Fact]
    public async Task IdleExpiredAndLoggedOutSessionsAreRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var cluster = await EmbeddedCluster.StartAsync(
            InProcessCluster.Options(2, 2) with
            {
                PoolTarget = 0,
                Time = clock,
            },
            ct);
        var wallet = new RecordingWalletApi(cluster.WalletApi);
        await using var client = new ThresholdClient(wallet, cluster.Opaque, clock);
        await client.ConnectAsync(ct);
        var password = "time flies"u8.ToArray();
        var user = await client.RegisterAsync(password, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.P256, ct);

        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(key.PublicKey, (await client.GetPublicKeyAsync(key.KeyId, ct)).PublicKey); // still within the idle timeout

        clock.Advance(TimeSpan.FromMinutes(16));
        await AssertSessionRefused(client, key.KeyId, ct); // idle too long

        await client.LoginAsync(user, password, cancellationToken: ct);
        for (var i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(13));
            await client.GetPublicKeyAsync(key.KeyId, ct); // active, so not idle (52 minutes in)
        }

        clock.Advance(TimeSpan.FromMinutes(10));

        await AssertSessionRefused(client, key.KeyId, ct); // past the one-hour lifetime

        await client.LoginAsync(user, password, cancellationToken: ct);
        await client.GetPublicKeyAsync(key.KeyId, ct);
        var sealedRequest = wallet.LastGetPublicKey!;
        await client.LogoutAsync(ct);
        await AssertSessionRefused(client, key.KeyId, ct);

        // The nodes closed the session: the last sealed request, replayed, finds no session.
        var replayed = await Assert.ThrowsAsync<ThresholdClientException>(() => cluster.WalletApi.GetPublicKeyAsync(sealedRequest, ct));
        Assert.Equal(ClientErrorKind.NotLoggedIn, replayed.Kind);
    }

    [Fact]
    public async Task ANodeForgetsAProtocolRunAbandonedForTenMinutes()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var cluster = await EmbeddedCluster.StartAsync(InProcessCluster.Options(2, 2) with { PoolTarget = 0, Time = clock }, ct);
        await using var client = new ThresholdClient(cluster.WalletApi, cluster.Opaque, clock);
        await client.ConnectAsync(ct);
        var password = "left behind"u8.ToArray();
        var user = await client.RegisterAsync(password, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);

        // A presigning run the aggregator starts at node-1 and then gives up on.
        var node = cluster.Nodes[0];
        var abandoned = Presign(key.KeyId, clock);
        await node.StartProtocolAsync(abandoned, ct);
        var deliver = new Contracts.V1.DeliverRequest { SessionId = abandoned.SessionId };
        await node.DeliverAsync(deliver, ct); // still there

        clock.Advance(TimeSpan.FromMinutes(11));
        await node.StartProtocolAsync(Presign(key.KeyId, clock), ct); // starting anything sweeps the stale ones
        var error = await Assert.ThrowsAsync<Threshold.Contracts.ThresholdException>(() => node.DeliverAsync(deliver, ct));
        Assert.Equal(Threshold.Contracts.V1.ErrorCode.NotFound, error.Code);
    }

    private static Contracts.V1.StartProtocolRequest Presign(string keyId, TimeProvider clock) => new()
    {
        Kind = Contracts.V1.ProtocolKind.Presign,
        SessionId = Google.Protobuf.ByteString.CopyFrom(Threshold.Contracts.ProtocolSessionIds.New(clock)),
        KeyId = keyId,
        Parties = { 1, 2 },
    };

    private static async Task AssertSessionRefused(ThresholdClient client, string keyId, CancellationToken ct)
    {
        var error = await Assert.ThrowsAsync<ThresholdClientException>(() => client.GetPublicKeyAsync(keyId, ct));
        Assert.Equal(ClientErrorKind.NotLoggedIn, error.Kind);
        Assert.Contains("log in", error.Message, StringComparison.Ordinal);
    }
}
