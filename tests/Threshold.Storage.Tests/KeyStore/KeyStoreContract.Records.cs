namespace Threshold.Storage.Tests.KeyStore;

public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task RecordsRoundTrip()
    {
        var store = await OpenAsync();
        var v1 = await store.PutAsync("shares", "key-1", "alice", Bytes("share one"), IKeyStore.Absent, Ct);
        await store.PutAsync("shares", "key-2", "alice", Bytes("share two"), IKeyStore.Absent, Ct);
        await store.PutAsync("shares", "key-3", "bob", Bytes("share three"), IKeyStore.Absent, Ct);
        await store.PutAsync("seeds", "key-1", "alice", Bytes("another table"), IKeyStore.Absent, Ct);

        using (var record = await store.GetAsync("shares", "key-1", Ct))
        {
            Assert.NotNull(record);
            Assert.Equal(("shares", "key-1", "alice", v1), (record.Table, record.Id, record.Owner, record.Version));
            Assert.Equal("share one", Text(record.Payload));
        }

        var v2 = await store.PutAsync("shares", "key-1", "alice", Bytes("share one, refreshed"), v1, Ct);
        Assert.True(v2 > v1);
        Assert.Equal("share one, refreshed", await GetTextAsync(store, "shares", "key-1"));
        Assert.Equal("another table", await GetTextAsync(store, "seeds", "key-1"));

        var alices = await store.ListByOwnerAsync("shares", "alice", Ct);
        Assert.Equal(["key-1", "key-2"], alices.Select(r => r.Id));
        Assert.Equal(["share one, refreshed", "share two"], alices.Select(r => Text(r.Payload)));
        Assert.Equal("share three", Text(Assert.Single(await store.ListByOwnerAsync("shares", "bob", Ct)).Payload));
        Assert.Empty(await store.ListByOwnerAsync("shares", "carol", Ct));

        Assert.True(await store.DeleteAsync("shares", "key-1", v2, Ct));
        Assert.Null(await store.GetAsync("shares", "key-1", Ct));
        Assert.False(await store.DeleteAsync("shares", "key-1", cancellationToken: Ct));

        // Re-creating a deleted record starts over from Absent, with a version above every earlier one.
        var v3 = await store.PutAsync("shares", "key-1", "alice", Bytes("new"), IKeyStore.Absent, Ct);
        Assert.True(v3 > v2);
        Assert.Equal("new", await GetTextAsync(store, "shares", "key-1"));
    }

    [Fact]
    public async Task EmptyAndLargePayloadsAndUnusualIdsRoundTrip()
    {
        var store = await OpenAsync();
        var large = new byte[1 << 20];
        new Random(7).NextBytes(large);
        await store.PutAsync("aux", "empty", "", ReadOnlyMemory<byte>.Empty, IKeyStore.Absent, Ct);
        await store.PutAsync("aux", "large", "", large, IKeyStore.Absent, Ct);
        await store.PutAsync("aux", "ключ 🔑/../'; DROP TABLE x;--", "用户", Bytes("unicode"), IKeyStore.Absent, Ct);

        using (var empty = await store.GetAsync("aux", "empty", Ct))
        {
            Assert.Equal(0, empty!.Payload.Length);
        }

        using (var read = await store.GetAsync("aux", "large", Ct))
        {
            Assert.True(read!.Payload.SequenceEqual(large));
        }

        Assert.Equal("unicode", await GetTextAsync(store, "aux", "ключ 🔑/../'; DROP TABLE x;--"));
        Assert.Equal("unicode", Text(Assert.Single(await store.ListByOwnerAsync("aux", "用户", Ct)).Payload));
        Assert.Equal(2, (await store.ListByOwnerAsync("aux", "", Ct)).Count);
    }

    [Fact]
    public async Task OptimisticConcurrencyConflictsStoreNothing()
    {
        var store = await OpenAsync();
        var v1 = await store.PutAsync("shares", "k", "alice", Bytes("first"), IKeyStore.Absent, Ct);
        var before = await store.GetStateVersionAsync(Ct);

        var exists = await Assert.ThrowsAsync<StorageConflictException>(() => store.PutAsync("shares", "k", "alice", Bytes("again"), IKeyStore.Absent, Ct));
        Assert.Equal((IKeyStore.Absent, v1, "shares", "k"), (exists.ExpectedVersion, exists.ActualVersion, exists.Table, exists.Id));

        var stale = await Assert.ThrowsAsync<StorageConflictException>(() => store.PutAsync("shares", "k", "alice", Bytes("stale"), v1 + 100, Ct));
        Assert.Equal(v1, stale.ActualVersion);

        var missing = await Assert.ThrowsAsync<StorageConflictException>(() => store.PutAsync("shares", "nope", "alice", Bytes("x"), v1, Ct));
        Assert.Equal(IKeyStore.Absent, missing.ActualVersion);

        await Assert.ThrowsAsync<StorageConflictException>(() => store.DeleteAsync("shares", "k", v1 + 1, Ct));
        await Assert.ThrowsAsync<StorageConflictException>(() => store.DeleteAsync("shares", "nope", v1, Ct));

        Assert.Equal("first", await GetTextAsync(store, "shares", "k"));
        Assert.Null(await store.GetAsync("shares", "nope", Ct));
        Assert.Equal(before, await store.GetStateVersionAsync(Ct));
    }

    [Fact]
    public async Task ConcurrentWritersOfOneRecordSeeExactlyOneWinner()
    {
        var store = await OpenAsync();
        var v1 = await store.PutAsync("shares", "k", "alice", Bytes("base"), IKeyStore.Absent, Ct);
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await store.PutAsync("shares", "k", "alice", Bytes($"writer {i}"), v1, Ct);
                return i;
            }
            catch (StorageConflictException)
            {
                return -1;
            }
        }));

        var winner = Assert.Single(attempts, i => i >= 0);
        Assert.Equal($"writer {winner}", await GetTextAsync(store, "shares", "k"));
    }

    [Fact]
    public async Task ArgumentsAreCheckedBeforeAnythingIsStored()
    {
        var store = await OpenAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("Shares", "k", "", Bytes("x"), IKeyStore.Absent, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("sh ares", "k", "", Bytes("x"), IKeyStore.Absent, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("shares\n", "k", "", Bytes("x"), IKeyStore.Absent, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("shares", "", "", Bytes("x"), IKeyStore.Absent, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("shares", "k\0", "", Bytes("x"), IKeyStore.Absent, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("shares", "k\ud800", "", Bytes("x"), IKeyStore.Absent, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("shares", new string('k', 257), "", Bytes("x"), IKeyStore.Absent, Ct));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.PutAsync("shares", "k", "", Bytes("x"), -1, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.EnqueueAsync("presig", "p", [], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAuditAsync("alice", "bad kind", AuditOutcome.Failed, "", Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAuditAsync("alice", "login", AuditOutcome.Failed, new string('d', 4097), Ct));
        Assert.Equal(0, await store.GetStateVersionAsync(Ct));
    }

    [Fact]
    public async Task RecordsSurviveReopening()
    {
        var store = await OpenAsync();
        var version = await store.PutAsync("shares", "k", "alice", Bytes("kept"), IKeyStore.Absent, Ct);
        await store.EnqueueAsync("presig", "k/1,2", Payloads("p1", "p2"), Ct);
        await store.AppendAuditAsync("alice", "generate", AuditOutcome.Succeeded, "key k", Ct);
        var state = await store.GetStateVersionAsync(Ct);
        await store.DisposeAsync();

        var reopened = await OpenAsync();
        Assert.Equal(state, await reopened.GetStateVersionAsync(Ct));
        using (var record = await reopened.GetAsync("shares", "k", Ct))
        {
            Assert.Equal(("kept", version), (Text(record!.Payload), record.Version));
        }

        Assert.Equal(2, await reopened.CountAsync("presig", "k/1,2", Ct));
        Assert.Equal(1, await reopened.VerifyChainAsync(Ct));
        using var item = await reopened.TakeAsync("presig", "k/1,2", Ct);
        Assert.Equal("p1", Text(item!.Payload));
    }

    [Fact]
    public async Task SecondStoreOnTheSameDatabaseIsRefused()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "k", "alice", Bytes("x"), IKeyStore.Absent, Ct);
        await Assert.ThrowsAsync<StorageInUseException>(() => OpenAsync());
        await store.DisposeAsync();
        var next = await OpenAsync();
        Assert.Equal(1, await next.GetStateVersionAsync(Ct));
    }

    [Fact]
    public async Task PayloadsNeverAppearInToStringOrErrors()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "k", "alice", Bytes("SECRET-SHARE"), IKeyStore.Absent, Ct);
        using var record = await store.GetAsync("shares", "k", Ct);
        Assert.DoesNotContain("SECRET", record!.ToString(), StringComparison.Ordinal);
        record.Dispose();
        Assert.Throws<ObjectDisposedException>(() => record.Payload.Length);
        Assert.Equal("[storage key]", Key.ToString());
    }
}
