using System.Data.Common;
using Microsoft.Data.Sqlite;
using Threshold.Storage.Consensus;
using Threshold.Storage.Sealing;
using Threshold.Storage.Tests.Support;

namespace Threshold.Storage.Tests.KeyStore;

/// <summary>The key store contract on SQLite (a temporary file per test), and what only SQLite does.</summary>
public sealed class SqliteKeyStoreTests : KeyStoreContract
{
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("threshold-storage-");

    private string DatabasePath => Path.Combine(directory.FullName, "node.db");

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        directory.Delete(recursive: true);
    }

    private protected override async Task<SealedKeyStore> OpenStoreCoreAsync(IRecordSealer sealer, KeyStoreOptions options, DatabaseFaults? faults) =>
        faults is null
            ? await SqliteKeyStore.OpenAsync(DatabasePath, sealer, options, Ct)
            : await SqliteKeyStore.OpenAsync(DatabasePath, sealer, options, connectionString => new FailingConnection(new SqliteConnection(connectionString), faults), Ct);

    protected override async Task<DbConnection> OpenRawAsync()
    {
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        return connection;
    }

    [Fact]
    public async Task TheFileIsInWalModeAndOwnerOnly()
    {
        var store = await OpenAsync();
        await store.PutAsync("shares", "k", "alice", Bytes("x"), IKeyStore.Absent, Ct);
        Assert.Equal("wal", (await RawRowAsync("PRAGMA journal_mode"))[0]);
        Assert.True(File.Exists(DatabasePath + ".lock"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DatabasePath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DatabasePath + "-wal"));
        }
    }

    [Fact]
    public async Task DeletedRowsAndTakenItemsLeaveNoBytesInTheFiles()
    {
        var store = await OpenAsync();
        var filler = new byte[3000];
        await store.PutAsync("shares", "keep", "alice", Bytes("stays"), IKeyStore.Absent, Ct);
        await store.PutAsync("shares", "gone", "alice", filler, IKeyStore.Absent, Ct);
        await store.EnqueueAsync("presig", "p", [filler, filler], Ct);
        var record = (byte[])(await RawRowAsync("SELECT sealed FROM threshold_records WHERE id = 'gone'"))[0];
        var item = (byte[])(await RawRowAsync("SELECT sealed FROM threshold_queue ORDER BY seq LIMIT 1"))[0];
        Assert.True(FilesContain(record[^64..]) && FilesContain(item[^64..]));

        Assert.True(await store.DeleteAsync("shares", "gone", cancellationToken: Ct));
        (await store.TakeAsync("presig", "p", Ct))!.Dispose();

        Assert.False(FilesContain(record[^64..]), "the deleted record's ciphertext is still in the database files");
        Assert.False(FilesContain(item[^64..]), "the taken presignature's ciphertext is still in the database files");
        Assert.Equal("stays", await GetTextAsync(store, "shares", "keep"));
    }

    [Fact]
    public async Task ADatabaseRestoredFromAnOlderCopyShowsAVersionBelowThePublishedOne()
    {
        var consensus = new InMemoryConsensusStore();
        var store = await OpenAsync();
        await store.PutAsync("shares", "k", "alice", Bytes("share"), IKeyStore.Absent, Ct);
        await store.EnqueueAsync("presig", "p", Payloads("presignature"), Ct);
        await consensus.PublishStateVersionAsync("node-1", await store.GetStateVersionAsync(Ct), Ct);
        await store.DisposeAsync();
        var backup = DatabasePath + ".backup";
        SqliteConnection.ClearAllPools();
        File.Copy(DatabasePath, backup);

        store = await OpenAsync();
        (await store.TakeAsync("presig", "p", Ct))!.Dispose(); // the presignature is used...
        await consensus.PublishStateVersionAsync("node-1", await store.GetStateVersionAsync(Ct), Ct);
        await store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        File.Copy(backup, DatabasePath, overwrite: true); // ...and the old file, consistent in itself, comes back

        store = await OpenAsync(); // it verifies: every row is genuine and matches its (old) state
        var local = await store.GetStateVersionAsync(Ct);
        var published = await consensus.StateVersionAsync("node-1", Ct);
        Assert.True(local < published, $"restored database at version {local}, cluster saw {published}");
        await Assert.ThrowsAsync<StaleStateVersionException>(() => consensus.PublishStateVersionAsync("node-1", local, Ct));
    }

    private bool FilesContain(byte[] needle)
    {
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var content = new byte[stream.Length];
            stream.ReadExactly(content);
            if (content.AsSpan().IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
