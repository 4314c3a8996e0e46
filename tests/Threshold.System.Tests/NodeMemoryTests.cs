using Google.Protobuf;
using Threshold.Contracts.V1;
using Threshold.Node.Sessions;

namespace Threshold.System.Tests;

/// <summary>
/// What a long-running node keeps in memory is bounded by time: sessions a wallet abandoned and
/// request ids whose requests expired are forgotten, and forgetting them reopens no replay.
/// </summary>
public sealed class NodeMemoryTests
{
    [Fact]
    public void ExpiredRequestIdsAreForgottenAndAReplayIsStillRefusedWhileLive()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var authorizations = new Authorizations(clock);
        var first = Request(1);
        Assert.True(authorizations.Add(new Authorization("alice", first, clock.GetUtcNow() + TimeSpan.FromMinutes(5))));
        Assert.False(authorizations.Add(new Authorization("alice", first, clock.GetUtcNow() + TimeSpan.FromMinutes(5))));

        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(authorizations.Add(new Authorization("alice", Request(2), clock.GetUtcNow() + TimeSpan.FromMinutes(5))));
        Assert.Equal(1, authorizations.Remembered);
        Assert.Null(authorizations.Consume(first.RequestId.Span, _ => true));
    }

    [Fact]
    public void SessionsAWalletAbandonedAreClosedWhenTheNextLoginOpensOne()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var sessions = new UserSessions(clock, TimeSpan.FromHours(1), TimeSpan.FromMinutes(15));
        var key = new byte[32];
        var abandoned = sessions.Open("alice", key, "node-1");
        clock.Advance(TimeSpan.FromMinutes(10));
        var live = sessions.Open("bob", key, "node-1");
        Assert.Equal(2, sessions.Count);

        clock.Advance(TimeSpan.FromMinutes(10)); // alice idle 20 min, bob 10 min
        sessions.Open("carol", key, "node-1");
        Assert.Equal(2, sessions.Count);
        Assert.Null(sessions.Find(abandoned.SessionId));
        Assert.NotNull(sessions.Find(live.SessionId));
    }

    [Fact]
    public void WaitingLoginsExpireAndTheOldestMakeRoomWhenFull()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var table = new PendingTable<Disposable>(clock, TimeSpan.FromMinutes(2), capacity: 3);
        var first = new Disposable();
        table.Put("a", first);
        clock.Advance(TimeSpan.FromSeconds(30));
        var second = new Disposable();
        table.Put("b", second);
        table.Put("c", new Disposable());

        // Full: the oldest is dropped (and disposed) to make room.
        var fourth = new Disposable();
        table.Put("d", fourth);
        Assert.Equal(3, table.Count);
        Assert.True(first.Disposed);
        Assert.Null(table.Take("a"));

        // Taken once; a replaced entry is disposed.
        Assert.Same(second, table.Take("b"));
        Assert.Null(table.Take("b"));
        table.Put("d", new Disposable());
        Assert.True(fourth.Disposed);

        // Two minutes after they came, the rest are gone.
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, table.Count);
        Assert.False(second.Disposed); // handed out: the taker owns it
    }

    [Fact]
    public async Task ANodesOwnLoginLimitForgetsUsersWhoseBudgetIsFullAgain()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var budget = new LocalLoginBudget(new Threshold.Storage.Consensus.LoginBudgetPolicy(2, TimeSpan.FromHours(1), TimeSpan.FromMinutes(10)), clock);
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 100; i++)
        {
            await budget.ChargeAsync(new Threshold.Storage.Consensus.LoginAttempt($"user-{i}", new byte[16], new byte[32], "node-1"), ct);
        }

        Assert.Equal(100, budget.Tracked);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, budget.Tracked);
    }

    private static ChannelRequest Request(byte id) => new()
    {
        RequestId = ByteString.CopyFrom(Enumerable.Repeat(id, 16).ToArray()),
        GetPublicKey = new GetPublicKeyOperation { KeyId = "k" },
    };

    private sealed class Disposable : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
