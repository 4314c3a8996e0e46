using System.Collections.Concurrent;
using System.Security.Cryptography;
using Threshold.Channels;

namespace Threshold.Node.Sessions;

/// <summary>One logged-in user's channel with this node.</summary>
internal sealed class UserSession(string userId, byte[] sessionId, SecureChannel channel, DateTimeOffset expiresAt)
{
    public string UserId { get; } = userId;

    public byte[] SessionId { get; } = sessionId;

    public SecureChannel Channel { get; } = channel;

    public DateTimeOffset ExpiresAt { get; } = expiresAt;

    public DateTimeOffset LastActivity { get; set; }

    /// <summary>Serialises use of the channel (its counters are per conversation).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>
/// The request sessions of logged-in users: created by a successful OPAQUE login, ended by logout,
/// expiry or idleness. Sessions live in memory: after a restart the user logs in again.
/// </summary>
internal sealed class UserSessions(TimeProvider time, TimeSpan lifetime, TimeSpan idleTimeout)
{
    private readonly ConcurrentDictionary<string, UserSession> sessions = new();
    private long lastSweepTicks;

    /// <summary>How many sessions are held (tests of the sweep).</summary>
    internal int Count => sessions.Count;

    public UserSession Open(string userId, ReadOnlySpan<byte> sessionKey, string nodeId)
    {
        var sid = RandomNumberGenerator.GetBytes(16);
        var now = time.GetUtcNow();
        SweepEnded(now);
        var session = new UserSession(userId, sid, SecureChannel.Open(sessionKey, nodeId, sid, ChannelSide.Node), now + lifetime) { LastActivity = now };
        sessions[Convert.ToHexStringLower(sid)] = session;
        return session;
    }

    /// <summary>The live session with this id, or null (unknown, expired or idle too long; those are closed).</summary>
    public UserSession? Find(ReadOnlySpan<byte> sessionId)
    {
        var key = Convert.ToHexStringLower(sessionId);
        if (!sessions.TryGetValue(key, out var session))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (now >= session.ExpiresAt || now - session.LastActivity > idleTimeout)
        {
            Close(session);
            return null;
        }

        return session;
    }

    /// <summary>
    /// At most once a minute, closes the sessions that expired or went idle without being looked up
    /// again (a wallet that just goes away), so they do not pile up in memory.
    /// </summary>
    private void SweepEnded(DateTimeOffset now)
    {
        var last = Interlocked.Read(ref lastSweepTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerMinute || Interlocked.CompareExchange(ref lastSweepTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var session in sessions.Values)
        {
            if (now >= session.ExpiresAt || now - session.LastActivity > idleTimeout)
            {
                Close(session);
            }
        }
    }

    public void Close(UserSession session)
    {
        if (sessions.TryRemove(Convert.ToHexStringLower(session.SessionId), out _))
        {
            session.Channel.Dispose();
        }
    }
}
