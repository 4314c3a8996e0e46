using Google.Protobuf;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node;
using Threshold.Node.Protocols;
using Threshold.Node.Storage;
using Threshold.Server;
using Threshold.Storage;
using Threshold.Storage.Sealing;

namespace Threshold.System.Tests;

/// <summary>
/// A node takes part in a protocol session once, ever: a reused id would let it sign two messages for
/// one slot, which is (rightly) taken as proof of equivocation. The guard survives restarts.
/// </summary>
public sealed class ProtocolSessionIdTests
{
    [Fact]
    public async Task SessionClaimsSurviveReopeningTheDatabaseAndExpireOnlyWhenStale()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-claims-");
        var key = StorageKey.Generate();
        var path = Path.Combine(directory.FullName, "node.db");
        var now = DateTimeOffset.UtcNow;
        var sid = ProtocolSessionIds.New(TimeProvider.System);
        try
        {
            await using (var store = await SqliteKeyStore.OpenAsync(path, new AesGcmRecordSealer(key), cancellationToken: ct))
            {
                var vault = new StoredNodeVault(store);
                Assert.True(await vault.ClaimSessionAsync(sid, now.AddMinutes(12), ct));
                Assert.False(await vault.ClaimSessionAsync(sid, now.AddMinutes(12), ct));
            }

            await using (var store = await SqliteKeyStore.OpenAsync(path, new AesGcmRecordSealer(key), cancellationToken: ct))
            {
                var vault = new StoredNodeVault(store);
                Assert.False(await vault.ClaimSessionAsync(sid, now.AddMinutes(12), ct)); // a restart does not reopen it
                Assert.Equal(0, await vault.ForgetSessionsAsync(now.AddMinutes(11), ct));
                Assert.Equal(1, await vault.ForgetSessionsAsync(now.AddMinutes(13), ct));
                Assert.True(await vault.ClaimSessionAsync(sid, now.AddMinutes(30), ct));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ANodeRefusesStaleFutureMalformedAndReusedSessionIds()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var cluster = await EmbeddedCluster.StartAsync(InProcessCluster.Options(2, 2) with { PoolTarget = 0, Time = clock }, ct);
        await using var client = new Threshold.Client.ThresholdClient(cluster.WalletApi, cluster.Opaque, clock);
        await client.ConnectAsync(ct);
        var password = "session ids"u8.ToArray();
        var user = await client.RegisterAsync(password, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        var key = await client.GenerateKeyAsync(Threshold.Curves.Curve.Secp256k1, ct);
        var node = cluster.Nodes[0];

        StartProtocolRequest Presign(byte[] sid) => new() { Kind = ProtocolKind.Presign, SessionId = ByteString.CopyFrom(sid), KeyId = key.KeyId, Parties = { 1, 2 } };
        async Task<ErrorCode> Refused(byte[] sid) => (await Assert.ThrowsAsync<ThresholdException>(() => node.StartProtocolAsync(Presign(sid), ct))).Code;

        var fresh = ProtocolSessionIds.New(clock);
        await node.StartProtocolAsync(Presign(fresh), ct);
        Assert.Equal(ErrorCode.FailedPrecondition, await Refused(fresh));
        Assert.Equal(ErrorCode.InvalidArgument, await Refused(global::System.Security.Cryptography.RandomNumberGenerator.GetBytes(20)));
        Assert.Equal(ErrorCode.InvalidArgument, await Refused(ProtocolSessionIds.New(new ManualClock(clock.GetUtcNow() - TimeSpan.FromMinutes(11)))));
        Assert.Equal(ErrorCode.InvalidArgument, await Refused(ProtocolSessionIds.New(new ManualClock(clock.GetUtcNow() + TimeSpan.FromMinutes(3)))));

        // Once the id is too old to be accepted anyway, forgetting it reopens nothing.
        clock.Advance(TimeSpan.FromMinutes(13));
        Assert.Equal(ErrorCode.InvalidArgument, await Refused(fresh));
    }
}
