using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Threshold.Contracts;

/// <summary>
/// The ids an aggregator gives protocol runs: 8 bytes of issue time (Unix milliseconds, big-endian)
/// and 24 random bytes. A node takes part in a run only while its id is fresh, and only once: it
/// records every id it starts under (durably, until the id is too old to be accepted anyway), so no
/// restart lets it sign two different messages for one slot of one session — which would be taken,
/// rightly, as proof that it equivocated.
/// </summary>
public static class ProtocolSessionIds
{
    /// <summary>Bytes in an id.</summary>
    public const int Length = 32;

    /// <summary>How long after its issue time an id is accepted (as long as a run may sit idle before it is swept).</summary>
    public static TimeSpan Lifetime { get; } = TimeSpan.FromMinutes(10);

    /// <summary>How far an id's issue time may lie ahead of the node's clock (clock skew between aggregator and node).</summary>
    public static TimeSpan MaxSkew { get; } = TimeSpan.FromMinutes(2);

    /// <summary>A fresh id issued now by <paramref name="time"/>.</summary>
    public static byte[] New(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var id = new byte[Length];
        BinaryPrimitives.WriteInt64BigEndian(id, time.GetUtcNow().ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(id.AsSpan(8));
        return id;
    }

    /// <summary>The id's issue time, or null if it is not an id of this form.</summary>
    public static DateTimeOffset? IssuedAt(ReadOnlySpan<byte> id)
    {
        if (id.Length != Length)
        {
            return null;
        }

        var ms = BinaryPrimitives.ReadInt64BigEndian(id);
        return ms < 0 || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }

    /// <summary>Until when a node must remember an id it accepted (after that it refuses the id as stale anyway).</summary>
    public static DateTimeOffset RememberUntil(DateTimeOffset issuedAt) => issuedAt + Lifetime + MaxSkew;
}
