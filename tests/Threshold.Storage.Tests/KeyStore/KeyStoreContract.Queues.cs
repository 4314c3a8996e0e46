using System.Collections.Concurrent;

namespace Threshold.Storage.Tests.KeyStore;

public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task QueuesHandOutItemsOldestFirstPerPartition()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync("presig", "key-1/1,2", Payloads("a1", "a2"), Ct);
        await store.EnqueueAsync("presig", "key-2/1,3", Payloads("b1"), Ct);
        await store.EnqueueAsync("presig", "key-1/1,2", Payloads("a3"), Ct);
        await store.EnqueueAsync("other", "key-1/1,2", Payloads("c1"), Ct);
        Assert.Equal(3, await store.CountAsync("presig", "key-1/1,2", Ct));
        Assert.Equal(1, await store.CountAsync("presig", "key-2/1,3", Ct));

        var taken = new List<string>();
        while (await store.TakeAsync("presig", "key-1/1,2", Ct) is { } item)
        {
            using (item)
            {
                Assert.Equal(("presig", "key-1/1,2"), (item.Table, item.Partition));
                taken.Add(Text(item.Payload));
            }
        }

        Assert.Equal(["a1", "a2", "a3"], taken);
        Assert.Equal(0, await store.CountAsync("presig", "key-1/1,2", Ct));
        Assert.Equal(1, await store.CountAsync("presig", "key-2/1,3", Ct));
        Assert.Equal(1, await store.CountAsync("other", "key-1/1,2", Ct));
        await store.VerifyAsync(Ct);
    }

    [Fact]
    public async Task EachItemIsTakenExactlyOnceUnderParallelTakers()
    {
        var store = await OpenAsync();
        const int count = 60;
        await store.EnqueueAsync("presig", "p", Payloads([.. Enumerable.Range(0, count).Select(i => $"presignature {i}")]), Ct);

        var taken = new ConcurrentBag<(long Sequence, string Payload)>();
        using var start = new ManualResetEventSlim();
        var takers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.Wait(Ct);
            while (await store.TakeAsync("presig", "p", Ct) is { } item)
            {
                using (item)
                {
                    taken.Add((item.Sequence, Text(item.Payload)));
                }
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(takers);

        Assert.Equal(count, taken.Count);
        Assert.Equal(count, taken.Select(t => t.Sequence).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"presignature {i}").Order(), taken.Select(t => t.Payload).Order());
        Assert.Equal(0, await store.CountAsync("presig", "p", Ct));
        Assert.Equal(1 + count, await store.GetStateVersionAsync(Ct)); // one enqueue, one per take
        await store.VerifyAsync(Ct);
    }

    [Fact]
    public async Task ATakenPresignaturePutBackIsNeverHandedOutAgain()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync("presig", "p", Payloads("used once", "fresh"), Ct);
        var row = await RawRowAsync("SELECT tbl, part, seq, sealed FROM threshold_queue ORDER BY seq LIMIT 1");
        using (var item = await store.TakeAsync("presig", "p", Ct))
        {
            Assert.Equal("used once", Text(item!.Payload));
        }

        // The database puts the used presignature back, genuine seal and all.
        await RawAsync("INSERT INTO threshold_queue (tbl, part, seq, sealed) VALUES (@t, @p, @q, @s)", ("t", row[0]), ("p", row[1]), ("q", row[2]), ("s", row[3]));
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.TakeAsync("presig", "p", Ct));
        Assert.Equal((IntegrityFailure.Replayed, "presig"), (error.Failure, error.Table));
        Assert.StartsWith("p#", error.Id, StringComparison.Ordinal);
        Assert.Equal(2, await store.CountAsync("presig", "p", Ct)); // nothing was taken

        // After a restart (no memory of the take), opening finds the extra row.
        await store.DisposeAsync();
        Assert.Equal(IntegrityFailure.InventoryMismatch, (await Assert.ThrowsAsync<StorageIntegrityException>(() => OpenAsync())).Failure);
    }

    [Fact]
    public async Task ATakenPresignatureReplayedIntoAnEmptyPartitionAfterARestartIsRefused()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync("presig", "p", Payloads("used once"), Ct);
        var row = await RawRowAsync("SELECT tbl, part, seq, sealed FROM threshold_queue");
        (await store.TakeAsync("presig", "p", Ct))!.Dispose();
        await store.DisposeAsync();

        // The store restarts (verified, clean), then the row reappears while it runs.
        store = await OpenAsync();
        await RawAsync("INSERT INTO threshold_queue (tbl, part, seq, sealed) VALUES (@t, @p, @q, @s)", ("t", row[0]), ("p", row[1]), ("q", row[2]), ("s", row[3]));
        Assert.Equal(IntegrityFailure.Replayed, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.TakeAsync("presig", "p", Ct))).Failure);
    }

    [Fact]
    public async Task QueueItemsMovedBetweenPartitionsOrTamperedAreCaught()
    {
        var store = await OpenAsync();
        await store.EnqueueAsync("presig", "key-1/1,2", Payloads("for signers 1,2"), Ct);
        await store.EnqueueAsync("presig", "key-1/1,3", Payloads("for signers 1,3"), Ct);
        await RawAsync("UPDATE threshold_queue SET part = 'key-1/1,3' WHERE part = 'key-1/1,2'");
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.TakeAsync("presig", "key-1/1,3", Ct));
        Assert.Equal((IntegrityFailure.SealBroken, "presig"), (error.Failure, error.Table));
        Assert.StartsWith("key-1/1,3#", error.Id, StringComparison.Ordinal);

        var sealedValue = (byte[])(await RawRowAsync("SELECT sealed FROM threshold_queue WHERE seq = (SELECT MAX(seq) FROM threshold_queue)"))[0];
        sealedValue[^1] ^= 0x80;
        await RawAsync("UPDATE threshold_queue SET part = 'key-1/1,2', sealed = @s WHERE seq = (SELECT MAX(seq) FROM threshold_queue)", ("s", sealedValue));
        await RawAsync("DELETE FROM threshold_queue WHERE seq = (SELECT MIN(seq) FROM threshold_queue)");
        Assert.Equal(IntegrityFailure.SealBroken, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.TakeAsync("presig", "key-1/1,2", Ct))).Failure);
    }
}
