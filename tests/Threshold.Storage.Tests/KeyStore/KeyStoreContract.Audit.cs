namespace Threshold.Storage.Tests.KeyStore;

public abstract partial class KeyStoreContract
{
    private async Task<(SealedKeyStore Store, List<AuditEntry> Entries)> AuditedStoreAsync(int entries = 5)
    {
        var store = await OpenAsync();
        var appended = new List<AuditEntry>();
        for (var i = 1; i <= entries; i++)
        {
            Clock.Advance(TimeSpan.FromMinutes(1));
            var owner = i % 2 == 1 ? "alice" : "bob";
            appended.Add(await store.AppendAuditAsync(owner, "login", i == 3 ? AuditOutcome.Failed : AuditOutcome.Succeeded, $"attempt {i}", Ct));
        }

        return (store, appended);
    }

    [Fact]
    public async Task AuditEntriesAreChainedAndReadByOwnerAndTime()
    {
        var start = Clock.GetUtcNow();
        var (store, appended) = await AuditedStoreAsync();

        Assert.Equal([1L, 2, 3, 4, 5], appended.Select(e => e.Sequence));
        Assert.True(appended[0].PreviousHash.Span.SequenceEqual(new byte[32]));
        for (var i = 1; i < appended.Count; i++)
        {
            Assert.True(appended[i].PreviousHash.Span.SequenceEqual(appended[i - 1].Hash.Span));
        }

        var alice = await store.ReadAuditAsync("alice", DateTimeOffset.MinValue, Ct);
        Assert.Equal([1L, 3, 5], alice.Select(e => e.Sequence));
        var third = alice[1];
        Assert.Equal((start + TimeSpan.FromMinutes(3), "alice", "login", AuditOutcome.Failed, "attempt 3"), (third.Time, third.Owner, third.Kind, third.Outcome, third.Details));
        Assert.True(third.Hash.Span.SequenceEqual(appended[2].Hash.Span));

        Assert.Equal([3L, 5], (await store.ReadAuditAsync("alice", start + TimeSpan.FromMinutes(3), Ct)).Select(e => e.Sequence));
        Assert.Equal([4L], (await store.ReadAuditAsync("bob", start + TimeSpan.FromMinutes(3), Ct)).Select(e => e.Sequence));
        Assert.Empty(await store.ReadAuditAsync("carol", DateTimeOffset.MinValue, Ct));
        Assert.Equal(5, await store.VerifyChainAsync(Ct));
    }

    [Fact]
    public async Task AModifiedAuditEntryBreaksTheChain()
    {
        var (store, _) = await AuditedStoreAsync();
        var sealedValue = (byte[])(await RawRowAsync("SELECT sealed FROM threshold_audit WHERE seq = 3"))[0];
        sealedValue[^17] ^= 4;
        await RawAsync("UPDATE threshold_audit SET sealed = @s WHERE seq = 3", ("s", sealedValue));
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.VerifyChainAsync(Ct));
        Assert.Equal((IntegrityFailure.SealBroken, "audit", "3"), (error.Failure, error.Table, error.Id));
        await Assert.ThrowsAsync<StorageIntegrityException>(() => store.ReadAuditAsync("alice", DateTimeOffset.MinValue, Ct));
    }

    [Fact]
    public async Task ARemovedAuditEntryBreaksTheChain()
    {
        var (store, _) = await AuditedStoreAsync();
        await RawAsync("DELETE FROM threshold_audit WHERE seq = 3"); // hide the failed login
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.VerifyChainAsync(Ct));
        Assert.Equal((IntegrityFailure.ChainBroken, "3"), (error.Failure, error.Id));
    }

    [Fact]
    public async Task ATruncatedAuditLogBreaksTheChain()
    {
        var (store, _) = await AuditedStoreAsync();
        await RawAsync("DELETE FROM threshold_audit WHERE seq >= 4");
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.VerifyChainAsync(Ct));
        Assert.Equal((IntegrityFailure.ChainBroken, "4"), (error.Failure, error.Id));
        await store.DisposeAsync();
        await Assert.ThrowsAsync<StorageIntegrityException>(() => OpenAsync());
    }

    [Fact]
    public async Task ReorderedAuditEntriesBreakTheChain()
    {
        var (store, _) = await AuditedStoreAsync();
        var second = await RawRowAsync("SELECT owner, at_ms, sealed FROM threshold_audit WHERE seq = 2");
        var fourth = await RawRowAsync("SELECT owner, at_ms, sealed FROM threshold_audit WHERE seq = 4");
        await RawAsync("UPDATE threshold_audit SET owner = @o, at_ms = @a, sealed = @s WHERE seq = 2", ("o", fourth[0]), ("a", fourth[1]), ("s", fourth[2]));
        await RawAsync("UPDATE threshold_audit SET owner = @o, at_ms = @a, sealed = @s WHERE seq = 4", ("o", second[0]), ("a", second[1]), ("s", second[2]));
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.VerifyChainAsync(Ct));
        Assert.Equal("2", error.Id);
    }

    [Fact]
    public async Task AnAuditEntryHiddenByChangingItsTimeIsCaught()
    {
        var (store, _) = await AuditedStoreAsync();
        await RawAsync("UPDATE threshold_audit SET at_ms = 0 WHERE seq = 3"); // drop it out of "since" queries
        Assert.Equal(IntegrityFailure.SealBroken, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.ReadAuditAsync("alice", DateTimeOffset.UnixEpoch, Ct))).Failure);
        Assert.Equal("3", (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.VerifyChainAsync(Ct))).Id);
    }

    [Fact]
    public async Task AnAuditEntryMovedToAnotherOwnerIsCaught()
    {
        var (store, _) = await AuditedStoreAsync();
        await RawAsync("UPDATE threshold_audit SET owner = 'bob' WHERE seq = 1");
        Assert.Equal(IntegrityFailure.SealBroken, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.ReadAuditAsync("bob", DateTimeOffset.MinValue, Ct))).Failure);
        Assert.Equal("1", (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.VerifyChainAsync(Ct))).Id);
    }

    [Fact]
    public async Task AnAuditEntryAppendedBehindTheStoresBackBreaksTheChain()
    {
        var (store, _) = await AuditedStoreAsync(2);
        var first = await RawRowAsync("SELECT owner, at_ms, sealed FROM threshold_audit WHERE seq = 1");
        await RawAsync("INSERT INTO threshold_audit (seq, owner, at_ms, sealed) VALUES (3, @o, @a, @s)", ("o", first[0]), ("a", first[1]), ("s", first[2]));
        Assert.Equal(IntegrityFailure.ChainBroken, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.VerifyChainAsync(Ct))).Failure);
    }
}
