using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Threshold.Aggregator;
using Threshold.Client;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node;
using Threshold.Server.Rpc;
using Threshold.Storage.Consensus;

namespace Threshold.System.Tests;

/// <summary>
/// What unauthenticated callers can make a cluster store (issue #11, items 5 and 7): malformed requests
/// are refused before anything is written; well-formed ones leave state bounded by count and by time.
/// </summary>
public sealed class UnauthenticatedRequestTests
{
    private static readonly LoginBudgetPolicy Policy = new(3, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10));

    [Fact]
    public async Task AFloodOfLoginStartsLeavesStoredStateBounded()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-flood-");
        try
        {
            var clock = new ManualClock(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
            await using var consensus = await SqliteConsensusStore.OpenAsync(Path.Combine(directory.FullName, "consensus.db"), clock, ct);
            await using var scene = await LoginScene.StartAsync(Policy, consensus, clock, maxPendingLogins: 300);
            var user = await scene.RegisterAsync(ct);
            var refused = 0;

            // 1,000 junk LoginStarts: malformed user ids (200 and 300 characters, control characters, upper
            // case, too short, empty), malformed attempt ids, KE1s that do not decode. None writes anything.
            for (var i = 0; i < 1_000; i++)
            {
                var junk = Junk(i, user, scene.ForgedLoginStart(user, "x"u8.ToArray()));
                try
                {
                    var answer = await scene.Wallet.LoginStartAsync(junk, ct);
                    Assert.Empty(answer.Responses);
                    Assert.Empty(answer.LockedNodes);
                }
                catch (ThresholdClientException)
                {
                    refused++;
                }
            }

            Assert.InRange(refused, 700, 1_000); // most never got past the aggregator; the rest were refused by every node
            Assert.Equal(new LoginStoreUsage(0, 0, 0, 0), await consensus.SweepLoginStateAsync(ct));
            Assert.All(scene.Cluster.Nodes, n => Assert.Equal((0, 0), (n.PendingLogins, n.PendingRegistrations)));

            // 1,000 well-formed LoginStarts for distinct unknown users: each is a real-looking attempt and is
            // charged (no enumeration), but each leaves one budget row and one attempt, and each node keeps at
            // most 300 logins waiting for a KE3.
            for (var i = 0; i < 1_000; i++)
            {
                var stranger = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                var answer = await scene.Wallet.LoginStartAsync(scene.ForgedLoginStart(stranger, "a guess"u8.ToArray()), ct);
                Assert.Equal(3, answer.Responses.Count);
            }

            Assert.Equal(new LoginStoreUsage(1_000, 1_000, 3_000, 0), await consensus.SweepLoginStateAsync(ct));
            Assert.All(scene.Cluster.Nodes, n => Assert.Equal(300, n.PendingLogins));
            Assert.Equal(3, await scene.TokensLeftAsync(user, ct)); // nobody else's flood touched this user
            Assert.Null(await scene.TryLoginAsync(user, LoginScene.Password, null, ct));

            // Everything the flood left expires: waiting logins after two minutes, attempts after their
            // lifetime, budgets once full again.
            clock.Advance(TimeSpan.FromMinutes(2));
            Assert.All(scene.Cluster.Nodes, n => Assert.Equal(0, n.PendingLogins));
            clock.Advance(Policy.AttemptLifetime - TimeSpan.FromMinutes(2));
            Assert.Equal(new LoginStoreUsage(1_000, 0, 0, 0), await consensus.SweepLoginStateAsync(ct));
            clock.Advance(Policy.RefillInterval - Policy.AttemptLifetime);
            Assert.Equal(new LoginStoreUsage(0, 0, 0, 0), await consensus.SweepLoginStateAsync(ct));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ANodeAnswersA300CharacterUserIdWithInvalidArgumentOverRpc()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var scene = await LoginScene.StartAsync(Policy);
        var node = scene.Cluster.Nodes[0];
        await using var host = await NodeRpc.StartAsync(node, new ServiceHostOptions(), ct);
        using var channel = ThresholdChannel.Create(host.Address, null);
        var rpc = new Threshold.Contracts.V1.Node.NodeClient(channel);
        using var client = new RpcNodeClient(node.NodeId, ThresholdChannel.Create(host.Address, null));
        var longId = new string('a', 300);
        var valid = scene.ForgedLoginStart(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), "x"u8.ToArray());

        var raw = await Assert.ThrowsAsync<RpcException>(() => rpc.LoginStartAsync(
            new NodeLoginStartRequest { UserId = longId, AttemptId = valid.AttemptId, Ke1 = valid.Ke1[0].Payload },
            cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, raw.StatusCode);

        var start = await Assert.ThrowsAsync<NodeCallException>(() => client.LoginStartAsync(new NodeLoginStartRequest { UserId = longId, AttemptId = valid.AttemptId, Ke1 = valid.Ke1[0].Payload }, ct));
        var finish = await Assert.ThrowsAsync<NodeCallException>(() => client.LoginFinishAsync(new NodeLoginFinishRequest { UserId = longId, AttemptId = valid.AttemptId, Ke3 = ByteString.CopyFrom(new byte[64]) }, ct));
        var register = await Assert.ThrowsAsync<NodeCallException>(() => client.RegisterStartAsync(new NodeBytesRequest { UserId = longId, Payload = ByteString.CopyFrom(new byte[32]) }, ct));
        Assert.All(new[] { start, finish, register }, e => Assert.Equal((ErrorCode?)ErrorCode.InvalidArgument, e.Code));
        Assert.All(new[] { start, finish, register }, e => Assert.False(e.Unavailable));

        // Nothing was charged or stored for it.
        Assert.Equal(new LoginStoreUsage(0, 0, 0, 0), await scene.Consensus.SweepLoginStateAsync(ct));
        Assert.Equal((0, 0), (node.PendingLogins, node.PendingRegistrations));
        Assert.Empty(scene.Vaults[node.NodeId].Audit);
    }

    /// <summary>The <paramref name="i"/>-th kind of junk, built from a well-formed login.</summary>
    private static LoginStartRequest Junk(int i, string user, LoginStartRequest valid)
    {
        var junk = valid.Clone();
        switch (i % 10)
        {
            case 0: junk.UserId = new string('z', 200); break;
            case 1: junk.UserId = new string('a', 300); break;
            case 2: junk.UserId = user[..31] + "\u0000"; break;
            case 3: junk.UserId = user.ToUpperInvariant(); break;
            case 4: junk.UserId = user[..31]; break;
            case 5: junk.UserId = string.Empty; break;
            case 6: junk.AttemptId = ByteString.CopyFrom(new byte[15]); break;
            case 7: junk.AttemptId = ByteString.Empty; break;
            case 8: junk.UserId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)); junk.Ke1[0].Payload = junk.Ke1[1].Payload = junk.Ke1[2].Payload = ByteString.CopyFrom(new byte[96]); break;
            default: junk.Ke1[0].Payload = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(50)); junk.Ke1.RemoveAt(2); junk.Ke1.RemoveAt(1); break;
        }

        return junk;
    }
}
