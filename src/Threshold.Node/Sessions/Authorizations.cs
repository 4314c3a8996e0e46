using System.Collections.Concurrent;
using Threshold.Contracts.V1;

namespace Threshold.Node.Sessions;

/// <summary>A user's request that arrived inside its channel: what it allows, until when, whether used.</summary>
internal sealed record Authorization(string UserId, ChannelRequest Request, DateTimeOffset ExpiresAt);

/// <summary>
/// The operations users have authorised through their channels. Each request id is accepted once and
/// consumed by the one operation it allows; the aggregator cannot create, alter or replay one.
/// </summary>
internal sealed class Authorizations(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Authorization> pending = new();
    private readonly ConcurrentDictionary<string, bool> seen = new();

    /// <summary>Records a request; false when its id was seen before.</summary>
    public bool Add(Authorization authorization)
    {
        var key = Convert.ToHexStringLower(authorization.Request.RequestId.Span);
        if (!seen.TryAdd(key, true))
        {
            return false;
        }

        pending[key] = authorization;
        return true;
    }

    /// <summary>
    /// Consumes the authorisation with this id if it is live and <paramref name="matches"/>; otherwise
    /// leaves everything as it was and returns null.
    /// </summary>
    public Authorization? Consume(ReadOnlySpan<byte> requestId, Func<Authorization, bool> matches)
    {
        var key = Convert.ToHexStringLower(requestId);
        if (!pending.TryGetValue(key, out var authorization) || time.GetUtcNow() >= authorization.ExpiresAt || !matches(authorization))
        {
            return null;
        }

        return pending.TryRemove(key, out _) ? authorization : null;
    }

    /// <summary>Looks at a live authorisation without consuming it.</summary>
    public Authorization? Peek(ReadOnlySpan<byte> requestId) =>
        pending.TryGetValue(Convert.ToHexStringLower(requestId), out var a) && time.GetUtcNow() < a.ExpiresAt ? a : null;
}
