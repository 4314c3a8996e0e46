using System.Numerics;

namespace Threshold.Arithmetic;

/// <summary>
/// Fixed-base tables shared across protocol runs, bounded in bytes, least recently used evicted first.
/// A table costs about as much to build as a few dozen exponentiations, so a base gets one only when
/// it is asked for a second time (a key that presigns once pays nothing extra); until then, for moduli
/// too large for a table, and on a backend other than GMP, the caller gets null and uses
/// <see cref="IArithmetic.ModPowSecret"/>.
/// </summary>
public sealed class FixedBaseCache
{
    private const int MaxModulusBits = 4096;
    private const int RememberedBases = 4096;

    private readonly object gate = new();
    private readonly Dictionary<Key, LinkedListNode<Entry>> tables = [];
    private readonly LinkedList<Entry> recency = new();
    private readonly Dictionary<Key, LinkedListNode<Key>> seen = [];
    private readonly LinkedList<Key> seenOrder = new();
    private long bytes;

    /// <summary>A cache holding at most <paramref name="capacityBytes"/> of tables.</summary>
    public FixedBaseCache(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        CapacityBytes = capacityBytes;
    }

    /// <summary>The process-wide cache the provers use: 256 MiB, about 48 counterparties' (s, t) at 2048 bits.</summary>
    public static FixedBaseCache Shared { get; } = new(256L << 20);

    /// <summary>The most table memory kept.</summary>
    public long CapacityBytes { get; }

    /// <summary>Table memory held now.</summary>
    public long Bytes
    {
        get
        {
            lock (gate)
            {
                return bytes;
            }
        }
    }

    /// <summary>
    /// The table for b mod m covering ±2^<paramref name="maxBits"/>, built on the second request for it;
    /// null on the first, when it would not fit, for moduli over 4096 bits, and off the GMP backend.
    /// </summary>
    public IFixedBasePower? Find(IArithmetic arithmetic, BigInteger value, BigInteger modulus, int maxBits)
    {
        ArgumentNullException.ThrowIfNull(arithmetic);
        if (arithmetic is not GmpArithmetic || modulus.GetBitLength() > MaxModulusBits)
        {
            return null;
        }

        var size = GmpFixedBasePower.BytesFor(modulus, maxBits);
        var key = new Key(modulus, value, maxBits);
        Lazy<IFixedBasePower> table;
        lock (gate)
        {
            if (tables.TryGetValue(key, out var node))
            {
                recency.Remove(node);
                recency.AddFirst(node);
                table = node.Value.Table;
            }
            else if (!Remember(key) || size > CapacityBytes)
            {
                return null;
            }
            else
            {
                while (bytes + size > CapacityBytes && recency.Last is { } oldest)
                {
                    recency.RemoveLast();
                    tables.Remove(oldest.Value.Key);
                    bytes -= oldest.Value.Bytes;
                }

                table = new Lazy<IFixedBasePower>(() => new GmpFixedBasePower(value, modulus, maxBits));
                tables[key] = recency.AddFirst(new Entry(key, table, size));
                bytes += size;
            }
        }

        return table.Value;
    }

    /// <summary>Records a request; true when the base was asked for before (and is forgotten from the seen list).</summary>
    private bool Remember(Key key)
    {
        if (seen.Remove(key, out var node))
        {
            seenOrder.Remove(node);
            return true;
        }

        seen[key] = seenOrder.AddFirst(key);
        if (seen.Count > RememberedBases && seenOrder.Last is { } oldest)
        {
            seenOrder.RemoveLast();
            seen.Remove(oldest.Value);
        }

        return false;
    }

    private readonly record struct Key(BigInteger Modulus, BigInteger Base, int MaxBits);

    private sealed record Entry(Key Key, Lazy<IFixedBasePower> Table, long Bytes);
}
