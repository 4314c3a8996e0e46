namespace Threshold.Storage.Tests.KeyStore;

/// <summary>The database is the attacker's: every change it makes to a row must be caught.</summary>
public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task ATamperedCiphertextIsCaughtAndNamedWithoutItsContents()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "key-1", "alice", Bytes("SECRET-SHARE"), IKeyStore.Absent, Ct);
        var sealedValue = (byte[])(await RawRowAsync("SELECT sealed FROM threshold_records WHERE id = 'key-1'"))[0];
        sealedValue[^20] ^= 1;
        await RawAsync("UPDATE threshold_records SET sealed = @s WHERE id = 'key-1'", ("s", sealedValue));

        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetAsync("shares", "key-1", Ct));
        Assert.Equal((IntegrityFailure.SealBroken, "shares", "key-1"), (error.Failure, error.Table, error.Id));
        Assert.Contains("shares/key-1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(sealedValue[..16]), error.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<StorageIntegrityException>(() => store.ListByOwnerAsync("shares", "alice", Ct));
        await Assert.ThrowsAsync<StorageIntegrityException>(() => store.PutAsync("shares", "key-1", "alice", Bytes("x"), 1, Ct));
        await Assert.ThrowsAsync<StorageIntegrityException>(() => store.DeleteAsync("shares", "key-1", cancellationToken: Ct));
        Assert.Equal(IntegrityFailure.InventoryMismatch, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.VerifyAsync(Ct))).Failure);
    }

    [Fact]
    public async Task RowsSwappedBetweenIdsOrMovedToAnotherOwnerOrTableAreCaught()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "key-a", "alice", Bytes("alice's share"), IKeyStore.Absent, Ct);
        await store.PutAsync("shares", "key-b", "alice", Bytes("another share"), IKeyStore.Absent, Ct);
        await store.PutAsync("shares", "key-m", "mallory", Bytes("mallory's share"), IKeyStore.Absent, Ct);
        var a = await RawRowAsync("SELECT owner, version, sealed FROM threshold_records WHERE id = 'key-a'");
        var b = await RawRowAsync("SELECT owner, version, sealed FROM threshold_records WHERE id = 'key-b'");

        // Swap whole rows (owner, version and ciphertext) between two ids.
        await RawAsync("UPDATE threshold_records SET owner = @o, version = @v, sealed = @s WHERE id = 'key-a'", ("o", b[0]), ("v", b[1]), ("s", b[2]));
        await RawAsync("UPDATE threshold_records SET owner = @o, version = @v, sealed = @s WHERE id = 'key-b'", ("o", a[0]), ("v", a[1]), ("s", a[2]));
        Assert.Equal(IntegrityFailure.SealBroken, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetAsync("shares", "key-a", Ct))).Failure);
        Assert.Equal("key-b", (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetAsync("shares", "key-b", Ct))).Id);

        // Give mallory's record to alice, or move alice's to another table: neither opens.
        await RawAsync("UPDATE threshold_records SET owner = 'alice' WHERE id = 'key-m'");
        Assert.Equal(IntegrityFailure.SealBroken, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetAsync("shares", "key-m", Ct))).Failure);
        await RawAsync("INSERT INTO threshold_records (tbl, id, owner, version, sealed) VALUES ('seeds', 'key-a', @o, @v, @s)", ("o", a[0]), ("v", a[1]), ("s", a[2]));
        Assert.Equal("seeds", (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetAsync("seeds", "key-a", Ct))).Table);
    }

    [Fact]
    public async Task AnOldVersionReplayedUnderTheCurrentVersionIsCaught()
    {
        var store = await OpenAsync();
        var v1 = await store.PutAsync("shares", "k", "alice", Bytes("old share"), IKeyStore.Absent, Ct);
        var old = (byte[])(await RawRowAsync("SELECT sealed FROM threshold_records WHERE id = 'k'"))[0];
        await store.PutAsync("shares", "k", "alice", Bytes("refreshed share"), v1, Ct);

        await RawAsync("UPDATE threshold_records SET sealed = @s WHERE id = 'k'", ("s", old));
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetAsync("shares", "k", Ct));
        Assert.Equal((IntegrityFailure.SealBroken, "k"), (error.Failure, error.Id));
    }

    [Fact]
    public async Task AWholeRowRolledBackToAnOlderVersionIsCaught()
    {
        var store = await OpenAsync();
        var v1 = await store.PutAsync("shares", "k", "alice", Bytes("old share"), IKeyStore.Absent, Ct);
        var old = await RawRowAsync("SELECT version, sealed FROM threshold_records WHERE id = 'k'");
        await store.PutAsync("shares", "k", "alice", Bytes("refreshed share"), v1, Ct);

        // Version column and ciphertext both put back: the seal is genuine, but this store wrote a newer one.
        await RawAsync("UPDATE threshold_records SET version = @v, sealed = @s WHERE id = 'k'", ("v", old[0]), ("s", old[1]));
        Assert.Equal(IntegrityFailure.RolledBack, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetAsync("shares", "k", Ct))).Failure);
        Assert.Equal(IntegrityFailure.RolledBack, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.ListByOwnerAsync("shares", "alice", Ct))).Failure);
        Assert.Equal(IntegrityFailure.RolledBack, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.PutAsync("shares", "k", "alice", Bytes("x"), v1, Ct))).Failure);

        // A fresh process has no memory of it; the inventory in the sealed state catches it on opening.
        await store.DisposeAsync();
        Assert.Equal(IntegrityFailure.InventoryMismatch, (await Assert.ThrowsAsync<StorageIntegrityException>(() => OpenAsync())).Failure);
    }

    [Fact]
    public async Task ADeletedRecordRestoredIsCaught()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "k", "alice", Bytes("exported, then deleted"), IKeyStore.Absent, Ct);
        var row = await RawRowAsync("SELECT tbl, id, owner, version, sealed FROM threshold_records WHERE id = 'k'");
        Assert.True(await store.DeleteAsync("shares", "k", cancellationToken: Ct));
        await RawAsync(
            "INSERT INTO threshold_records (tbl, id, owner, version, sealed) VALUES (@t, @i, @o, @v, @s)",
            ("t", row[0]), ("i", row[1]), ("o", row[2]), ("v", row[3]), ("s", row[4]));

        Assert.Equal(IntegrityFailure.RolledBack, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetAsync("shares", "k", Ct))).Failure);
        Assert.Equal(IntegrityFailure.InventoryMismatch, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.VerifyAsync(Ct))).Failure);
        await store.DisposeAsync();
        Assert.Equal(IntegrityFailure.InventoryMismatch, (await Assert.ThrowsAsync<StorageIntegrityException>(() => OpenAsync())).Failure);
    }

    [Fact]
    public async Task RowsRemovedOrAddedBehindTheStoresBackFailVerification()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "k1", "alice", Bytes("1"), IKeyStore.Absent, Ct);
        await store.PutAsync("shares", "k2", "alice", Bytes("2"), IKeyStore.Absent, Ct);
        await store.EnqueueAsync("presig", "p", Payloads("a", "b"), Ct);
        await store.VerifyAsync(Ct);

        await RawAsync("DELETE FROM threshold_records WHERE id = 'k2'");
        Assert.Equal(IntegrityFailure.InventoryMismatch, (await Assert.ThrowsAsync<StorageIntegrityException>(() => store.VerifyAsync(Ct))).Failure);
        await store.DisposeAsync();
        await Assert.ThrowsAsync<StorageIntegrityException>(() => OpenAsync());

        // Opening without verification works (the operator chose to), and the explicit check still fails.
        var unverified = await OpenAsync(verify: false);
        await Assert.ThrowsAsync<StorageIntegrityException>(() => unverified.VerifyAsync(Ct));
        await unverified.DisposeAsync();

        await RawAsync("DELETE FROM threshold_queue WHERE seq = (SELECT MIN(seq) FROM threshold_queue)");
        await Assert.ThrowsAsync<StorageIntegrityException>(() => OpenAsync());
    }
}
