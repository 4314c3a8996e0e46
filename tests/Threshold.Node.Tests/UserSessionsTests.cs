using Threshold.Node.Sessions;

namespace Threshold.Node.Tests;

/// <summary>
/// Pins <see cref="UserSessions"/>: an opened session is found by its id until it expires, goes idle
/// longer than the idle timeout, or is closed; each login gets its own id; and sessions nobody looks up
/// again are swept when later ones open.
/// </summary>
public sealed class UserSessionsTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);
    private static readonly byte[] SessionKey = [.. Enumerable.Range(0, 64).Select(i => (byte)i)];

    [Fact]
    public void An_open_session_is_found_by_its_id()
    {
        var sessions = new UserSessions(new ManualClock(DateTimeOffset.UnixEpoch), Lifetime, Idle);
        var alice = sessions.Open("alice", SessionKey, "node-1");
        var again = sessions.Open("alice", SessionKey, "node-1");

        Assert.NotEqual(alice.SessionId, again.SessionId);
        Assert.Same(alice, sessions.Find(alice.SessionId));
        Assert.Equal("alice", alice.UserId);
        Assert.Null(sessions.Find(new byte[16]));
    }

    [Fact]
    public void A_closed_session_is_gone()
    {
        var sessions = new UserSessions(new ManualClock(DateTimeOffset.UnixEpoch), Lifetime, Idle);
        var session = sessions.Open("alice", SessionKey, "node-1");

        sessions.Close(session);
        sessions.Close(session);

        Assert.Null(sessions.Find(session.SessionId));
        Assert.Equal(0, sessions.Count);
    }

    [Fact]
    public void A_session_idle_too_long_is_closed_and_activity_keeps_it()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var sessions = new UserSessions(clock, Lifetime, Idle);
        var busy = sessions.Open("alice", SessionKey, "node-1");
        var idle = sessions.Open("bob", SessionKey, "node-1");

        clock.Advance(Idle);
        busy.LastActivity = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Same(busy, sessions.Find(busy.SessionId));
        Assert.Null(sessions.Find(idle.SessionId));
        Assert.Equal(1, sessions.Count);
    }

    [Fact]
    public void A_session_ends_at_its_lifetime_however_busy()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var sessions = new UserSessions(clock, Lifetime, Idle);
        var session = sessions.Open("alice", SessionKey, "node-1");

        clock.Advance(Lifetime);
        session.LastActivity = clock.GetUtcNow();

        Assert.Null(sessions.Find(session.SessionId));
    }

    [Fact]
    public void Ended_sessions_nobody_looks_up_are_swept_by_a_later_login()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var sessions = new UserSessions(clock, Lifetime, Idle);
        sessions.Open("alice", SessionKey, "node-1");
        sessions.Open("bob", SessionKey, "node-1");

        clock.Advance(Idle + TimeSpan.FromMinutes(1));
        var carol = sessions.Open("carol", SessionKey, "node-1");

        Assert.Equal(1, sessions.Count);
        Assert.Same(carol, sessions.Find(carol.SessionId));
    }
}
