using Threshold.Node.Sessions;

namespace Threshold.Node.Tests;

/// <summary>
/// Pins <see cref="PendingTable{T}"/>: an entry is taken once, lives at most its lifetime, at most
/// capacity entries are kept with the oldest dropped first, and every entry dropped (expired, displaced,
/// replaced, or left at disposal) is disposed; a taken one is the taker's.
/// </summary>
public sealed class PendingTableTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    [Fact]
    public void An_entry_is_taken_once()
    {
        using var table = new PendingTable<Item>(new ManualClock(DateTimeOffset.UnixEpoch), Lifetime, 4);
        var item = new Item();
        table.Put("a", item);

        Assert.Same(item, table.Take("a"));
        Assert.Null(table.Take("a"));
        Assert.Null(table.Take("never"));
        Assert.False(item.Disposed);
    }

    [Fact]
    public void Beyond_the_capacity_the_oldest_is_dropped()
    {
        using var table = new PendingTable<Item>(new ManualClock(DateTimeOffset.UnixEpoch), Lifetime, 3);
        var items = Enumerable.Range(0, 5).Select(_ => new Item()).ToList();
        for (var i = 0; i < items.Count; i++)
        {
            table.Put($"k{i}", items[i]);
        }

        Assert.Equal(3, table.Count);
        Assert.True(items[0].Disposed);
        Assert.True(items[1].Disposed);
        Assert.Null(table.Take("k0"));
        Assert.Null(table.Take("k1"));
        Assert.Same(items[2], table.Take("k2"));
        Assert.Same(items[4], table.Take("k4"));
        Assert.False(items[4].Disposed);
    }

    [Fact]
    public void An_entry_expires_after_its_lifetime()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        using var table = new PendingTable<Item>(clock, Lifetime, 4);
        var early = new Item();
        var late = new Item();
        table.Put("early", early);
        clock.Advance(TimeSpan.FromSeconds(20));
        table.Put("late", late);

        clock.Advance(TimeSpan.FromSeconds(10));

        Assert.Null(table.Take("early"));
        Assert.True(early.Disposed);
        Assert.Equal(1, table.Count);
        Assert.Same(late, table.Take("late"));
    }

    [Fact]
    public void Putting_under_a_held_key_replaces_and_disposes_the_old_entry()
    {
        using var table = new PendingTable<Item>(new ManualClock(DateTimeOffset.UnixEpoch), Lifetime, 4);
        var old = new Item();
        var replacement = new Item();
        table.Put("a", old);
        table.Put("a", replacement);

        Assert.True(old.Disposed);
        Assert.Equal(1, table.Count);
        Assert.Same(replacement, table.Take("a"));
    }

    [Fact]
    public void Disposing_the_table_disposes_what_it_holds()
    {
        var table = new PendingTable<Item>(new ManualClock(DateTimeOffset.UnixEpoch), Lifetime, 4);
        var held = new Item();
        var taken = new Item();
        table.Put("held", held);
        table.Put("taken", taken);
        Assert.Same(taken, table.Take("taken"));

        table.Dispose();

        Assert.True(held.Disposed);
        Assert.False(taken.Disposed);
    }

    [Fact]
    public void A_table_needs_a_lifetime_and_room()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PendingTable<Item>(clock, TimeSpan.Zero, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PendingTable<Item>(clock, Lifetime, 0));
    }

    /// <summary>An entry that records its disposal.</summary>
    private sealed class Item : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
