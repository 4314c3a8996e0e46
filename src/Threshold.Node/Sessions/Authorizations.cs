using System.Collections.Concurrent;
using Threshold.Contracts.V1;

namespace Threshold.Node.Sessions;

/// <summary>A user's request that arrived inside its channel: what it allows, until when, and how many more times.</summary>
internal sealed record Authorization(string UserId, ChannelRequest Request, DateTimeOffset ExpiresAt)
{
    /// <summary>
    /// How many operations it still allows. A sign request allows two partial signatures, each with its
    /// own presignature, so the aggregator can hedge a signer that went slow with another signer set:
    /// two signatures of one digest under different nonces give nothing away. Everything else: one.
    /// </summary>
    public int UsesLeft { get; init; } = Request.OperationCase == ChannelRequest.OperationOneofCase.Sign ? 2 : 1;
}

/// <summary>
/// The operations users have authorised through their channels. Each request id is accepted once and
/// consumed by the operation it allows (a sign request: by at most two partial signatures of its
/// digest); the aggregator cannot create, alter or replay one.
/// </summary>
internal sealed class Authorizations(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Authorization> pending = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> seen = new();
    private long lastSweepTicks;

    /// <summary>
    /// Records a request; false when its id was seen before. An id is remembered until its request
    /// expires: after that the request is refused for its expiry anyway, so both maps shed it.
    /// </summary>
    public bool Add(Authorization authorization)
    {
        SweepExpired();
        var key = Convert.ToHexStringLower(authorization.Request.RequestId.Span);
        if (!seen.TryAdd(key, authorization.ExpiresAt))
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

        // One use taken atomically: of two concurrent takers of the last use, one gets it.
        return authorization.UsesLeft > 1
            ? pending.TryUpdate(key, authorization with { UsesLeft = authorization.UsesLeft - 1 }, authorization) ? authorization : null
            : pending.TryRemove(new KeyValuePair<string, Authorization>(key, authorization)) ? authorization : null;
    }

    /// <summary>How many request ids are remembered (tests of the sweep).</summary>
    internal int Remembered => seen.Count;

    /// <summary>At most once a minute, forgets every request whose expiry has passed.</summary>
    private void SweepExpired()
    {
        var now = time.GetUtcNow();
        var last = Interlocked.Read(ref lastSweepTicks);
        if (now.UtcTicks - last < TimeSpan.TicksPerMinute || Interlocked.CompareExchange(ref lastSweepTicks, now.UtcTicks, last) != last)
        {
            return;
        }

        foreach (var (key, expiresAt) in seen)
        {
            if (expiresAt <= now)
            {
                pending.TryRemove(key, out _);
                seen.TryRemove(key, out _);
            }
        }
    }
}
