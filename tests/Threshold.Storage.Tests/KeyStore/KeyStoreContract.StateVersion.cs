using Threshold.Storage.Tests.Support;

namespace Threshold.Storage.Tests.KeyStore;

public abstract partial class KeyStoreContract
{
    [Fact]
    public async Task StateVersionCountsEverySuccessfulMutationOnceAndNothingElse()
    {
        var store = await OpenAsync();
        Assert.Equal(0, await store.GetStateVersionAsync(Ct));

        async Task Expect(long version) => Assert.Equal(version, await store.GetStateVersionAsync(Ct));

        var v = await store.PutAsync("shares", "k", "alice", Bytes("a"), IKeyStore.Absent, Ct);
        Assert.Equal(1, v); // a record's version is the state version its write produced
        await Expect(1);
        v = await store.PutAsync("shares", "k", "alice", Bytes("b"), v, Ct);
        await Expect(2);
        await store.EnqueueAsync("presig", "p", Payloads("1", "2", "3"), Ct); // one mutation, three items
        await Expect(3);
        (await store.TakeAsync("presig", "p", Ct))!.Dispose();
        await Expect(4);
        await store.AppendAuditAsync("alice", "login", AuditOutcome.Succeeded, "", Ct);
        await Expect(5);
        Assert.True(await store.DeleteAsync("shares", "k", v, Ct));
        await Expect(6);

        // Failures and no-ops leave it alone.
        await Assert.ThrowsAsync<StorageConflictException>(() => store.PutAsync("shares", "x", "alice", Bytes("a"), 99, Ct));
        Assert.False(await store.DeleteAsync("shares", "k", cancellationToken: Ct));
        Assert.Null(await store.TakeAsync("presig", "empty", Ct));
        await store.GetAsync("shares", "k", Ct);
        await store.ListByOwnerAsync("shares", "alice", Ct);
        await store.CountAsync("presig", "p", Ct);
        await store.ReadAuditAsync("alice", DateTimeOffset.MinValue, Ct);
        await store.VerifyAsync(Ct);
        await Expect(6);
    }

    [Fact]
    public async Task ParallelMutationsEachGetTheirOwnVersion()
    {
        var store = await OpenAsync();
        var versions = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => store.PutAsync("shares", $"k{i}", "alice", Bytes($"{i}"), IKeyStore.Absent, Ct)));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), versions.Order());
        Assert.Equal(20, await store.GetStateVersionAsync(Ct));
        await store.VerifyAsync(Ct);
    }

    [Fact]
    public async Task CancelledOperationsStoreNothing()
    {
        var store = await OpenAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.PutAsync("shares", "k", "alice", Bytes("x"), IKeyStore.Absent, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.EnqueueAsync("presig", "p", Payloads("x"), cancelled.Token));
        Assert.Null(await store.GetAsync("shares", "k", Ct));
        Assert.Equal(0, await store.CountAsync("presig", "p", Ct));
        Assert.Equal(0, await store.GetStateVersionAsync(Ct));
    }

    [Fact]
    public async Task AFailureBeforeCommitLeavesNoTrace()
    {
        var faults = new DatabaseFaults();
        var store = await OpenAsync(faults: faults);
        await store.PutAsync("shares", "k", "alice", Bytes("kept"), IKeyStore.Absent, Ct);
        await store.EnqueueAsync("presig", "p", Payloads("first"), Ct);
        faults.AfterStateWrite = () => new IOException("disk full");

        await Assert.ThrowsAsync<IOException>(() => store.PutAsync("shares", "k2", "alice", Bytes("lost"), IKeyStore.Absent, Ct));
        await Assert.ThrowsAsync<IOException>(() => store.PutAsync("shares", "k", "alice", Bytes("lost"), 1, Ct));
        await Assert.ThrowsAsync<IOException>(() => store.EnqueueAsync("presig", "p", Payloads("a", "b", "c"), Ct));
        await Assert.ThrowsAsync<IOException>(() => store.TakeAsync("presig", "p", Ct));
        await Assert.ThrowsAsync<IOException>(() => store.DeleteAsync("shares", "k", cancellationToken: Ct));
        await Assert.ThrowsAsync<IOException>(() => store.AppendAuditAsync("alice", "login", AuditOutcome.Failed, "", Ct));

        faults.AfterStateWrite = null;
        Assert.Equal(2, await store.GetStateVersionAsync(Ct));
        Assert.Null(await store.GetAsync("shares", "k2", Ct));
        Assert.Equal("kept", await GetTextAsync(store, "shares", "k"));
        Assert.Equal(1, await store.CountAsync("presig", "p", Ct));
        Assert.Equal(0, await store.VerifyChainAsync(Ct));
        await store.VerifyAsync(Ct);

        // The failed take did not consume the item: it is still there, exactly once.
        using (var item = await store.TakeAsync("presig", "p", Ct))
        {
            Assert.Equal("first", Text(item!.Payload));
        }

        Assert.Equal(4, await store.PutAsync("shares", "k2", "alice", Bytes("now"), IKeyStore.Absent, Ct));
    }

    [Fact]
    public async Task ACommitWithUnknownOutcomeIsResolvedFromTheDatabase()
    {
        var faults = new DatabaseFaults();
        var store = await OpenAsync(faults: faults);
        var failOnce = true;
        faults.AfterCommit = () =>
        {
            if (!failOnce)
            {
                return null;
            }

            failOnce = false;
            return new TimeoutException("connection lost while committing");
        };

        // The commit went through, but the caller saw an error.
        await Assert.ThrowsAsync<TimeoutException>(() => store.PutAsync("shares", "k", "alice", Bytes("x"), IKeyStore.Absent, Ct));
        Assert.Equal(1, await store.GetStateVersionAsync(Ct));
        Assert.Equal(2, await store.PutAsync("shares", "k", "alice", Bytes("y"), 1, Ct));
        await store.VerifyAsync(Ct);
    }

    [Fact]
    public async Task ARolledBackStateRowIsDetected()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "k", "alice", Bytes("x"), IKeyStore.Absent, Ct);
        var old = await RawRowAsync("SELECT version, sealed FROM threshold_state");
        await store.PutAsync("shares", "k", "alice", Bytes("y"), 1, Ct);
        await RawAsync("UPDATE threshold_state SET version = @v, sealed = @s", ("v", old[0]), ("s", old[1]));

        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.PutAsync("shares", "j", "alice", Bytes("z"), IKeyStore.Absent, Ct));
        Assert.Equal((IntegrityFailure.RolledBack, "state"), (error.Failure, error.Table));
        error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetStateVersionAsync(Ct));
        Assert.Equal(IntegrityFailure.RolledBack, error.Failure);
    }

    [Fact]
    public async Task ADeletedOrForgedStateRowIsDetected()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "k", "alice", Bytes("x"), IKeyStore.Absent, Ct);
        await RawAsync("UPDATE threshold_state SET version = 1000");
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetStateVersionAsync(Ct));
        Assert.Equal((IntegrityFailure.SealBroken, "state"), (error.Failure, error.Table));

        await RawAsync("DELETE FROM threshold_state");
        error = await Assert.ThrowsAsync<StorageIntegrityException>(() => store.GetStateVersionAsync(Ct));
        Assert.Equal(IntegrityFailure.StateMismatch, error.Failure);

        // Reopening does not quietly start a new, empty state next to the old rows.
        await store.DisposeAsync();
        error = await Assert.ThrowsAsync<StorageIntegrityException>(() => OpenAsync());
        Assert.Equal(IntegrityFailure.StateMismatch, error.Failure);
    }

    [Fact]
    public async Task ADatabaseSealedUnderAnotherKeyDoesNotOpen()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "k", "alice", Bytes("x"), IKeyStore.Absent, Ct);
        await store.DisposeAsync();
        using var otherKey = Threshold.Storage.Sealing.StorageKey.Generate();
        using var otherSealer = new Threshold.Storage.Sealing.AesGcmRecordSealer(otherKey);
        var error = await Assert.ThrowsAsync<StorageIntegrityException>(() => OpenAsync(otherSealer));
        Assert.Equal((IntegrityFailure.SealBroken, "state"), (error.Failure, error.Table));
    }
}
