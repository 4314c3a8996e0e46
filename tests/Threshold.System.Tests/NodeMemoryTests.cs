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

    private static ChannelRequest Request(byte id) => new()
    {
        RequestId = ByteString.CopyFrom(Enumerable.Repeat(id, 16).ToArray()),
        GetPublicKey = new GetPublicKeyOperation { KeyId = "k" },
    };
}
