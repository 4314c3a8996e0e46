namespace Threshold.Node.Sessions;

/// <summary>
/// Work a node keeps between two unauthenticated messages of one client (an OPAQUE login between KE2
/// and KE3, a registration between its two steps): each entry lives at most <c>lifetime</c>, and at most
/// <c>capacity</c> entries are kept, the oldest dropped first. So a flood of first messages costs a
/// bounded amount of memory, and an honest client, whose second message follows within seconds, is
/// displaced only by a flood of <c>capacity</c> entries in those seconds. Dropped entries are disposed.
/// </summary>
internal sealed class PendingTable<T> : IDisposable
    where T : class, IDisposable
{
    private readonly TimeProvider time;
    private readonly TimeSpan lifetime;
    private readonly int capacity;
    private readonly Lock gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> oldestFirst = new();

    public PendingTable(TimeProvider time, TimeSpan lifetime, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.lifetime = lifetime;
        this.capacity = capacity;
    }

    /// <summary>Entries held (after dropping the expired ones).</summary>
    public int Count
    {
        get
        {
            List<T> dropped;
            int count;
            lock (gate)
            {
                dropped = Expire(time.GetUtcNow());
                count = entries.Count;
            }

            DisposeAll(dropped);
            return count;
        }
    }

    /// <summary>Adds <paramref name="value"/> under <paramref name="key"/>, replacing (and disposing) an entry with the same key.</summary>
    public void Put(string key, T value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var now = time.GetUtcNow();
        List<T> dropped;
        lock (gate)
        {
            dropped = Expire(now);
            if (entries.Remove(key, out var replaced))
            {
                oldestFirst.Remove(replaced);
                dropped.Add(replaced.Value.Value);
            }

            while (entries.Count >= capacity && oldestFirst.First is { } oldest)
            {
                oldestFirst.RemoveFirst();
                entries.Remove(oldest.Value.Key);
                dropped.Add(oldest.Value.Value);
            }

            entries[key] = oldestFirst.AddLast(new Entry(key, value, now + lifetime));
        }

        DisposeAll(dropped);
    }

    /// <summary>Removes and returns the live entry under <paramref name="key"/>; null when there is none (never added, taken, expired or displaced).</summary>
    public T? Take(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        List<T> dropped;
        LinkedListNode<Entry>? taken;
        lock (gate)
        {
            dropped = Expire(time.GetUtcNow());
            if (entries.Remove(key, out taken))
            {
                oldestFirst.Remove(taken);
            }
        }

        DisposeAll(dropped);
        return taken?.Value.Value;
    }

    /// <summary>Disposes every entry.</summary>
    public void Dispose()
    {
        List<T> all;
        lock (gate)
        {
            all = [.. oldestFirst.Select(e => e.Value)];
            oldestFirst.Clear();
            entries.Clear();
        }

        DisposeAll(all);
    }

    private static void DisposeAll(List<T> values)
    {
        foreach (var value in values)
        {
            value.Dispose();
        }
    }

    /// <summary>Unlinks the entries whose time is up (entries are in order of expiry); the caller disposes them outside the lock.</summary>
    private List<T> Expire(DateTimeOffset now)
    {
        var dropped = new List<T>();
        while (oldestFirst.First is { } oldest && oldest.Value.Expires <= now)
        {
            oldestFirst.RemoveFirst();
            entries.Remove(oldest.Value.Key);
            dropped.Add(oldest.Value.Value);
        }

        return dropped;
    }

    private sealed record Entry(string Key, T Value, DateTimeOffset Expires);
}
