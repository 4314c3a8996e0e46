using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Threshold.Storage.Internal;
using Threshold.Storage.Sealing;

namespace Threshold.Storage;

/// <summary>
/// The embedded key store: one SQLite file in WAL mode with <c>secure_delete</c> on (freed space is
/// overwritten with zeros) and full synchronous commits (a commit the node has published is on disk).
/// After each deletion the WAL is checkpointed and truncated, so the deleted row's old page images do
/// not linger in the log. A lock file next to the database (<c>&lt;path&gt;.lock</c>) keeps a second
/// store, in this or another process, from opening it.
/// </summary>
public sealed class SqliteKeyStore : SealedKeyStore
{
    private readonly string path;
    private readonly string connectionString;
    private readonly Func<string, DbConnection> connections;

    private SqliteKeyStore(string path, IRecordSealer sealer, KeyStoreOptions? options, Func<string, DbConnection> connections)
        : base(sealer, options)
    {
        this.path = path;
        this.connections = connections;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Opens (creating if needed) the store in the file <paramref name="path"/>.</summary>
    /// <exception cref="StorageInUseException">Another store has the file open.</exception>
    /// <exception cref="StorageIntegrityException">The file fails verification (see <see cref="KeyStoreOptions.VerifyOnOpen"/>).</exception>
    public static Task<SqliteKeyStore> OpenAsync(string path, IRecordSealer sealer, KeyStoreOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenAsync(path, sealer, options, connectionString => new SqliteConnection(connectionString), cancellationToken);

    /// <summary>As above, with every connection made by <paramref name="connections"/> from the store's connection string (an unopened SQLite connection, or one that wraps it).</summary>
    internal static async Task<SqliteKeyStore> OpenAsync(string path, IRecordSealer sealer, KeyStoreOptions? options, Func<string, DbConnection> connections, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(connections);
        var full = Path.GetFullPath(path);
        var lockFile = AcquireLock(full);
        CreateOwnerOnly(full, lockFile);
        var store = new SqliteKeyStore(full, sealer, options, connections);
        try
        {
            await using (var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA journal_mode = WAL";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await store.InitializeAsync(new Release(() => { lockFile.Dispose(); return ValueTask.CompletedTask; }), options?.VerifyOnOpen ?? true, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            lockFile.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override string Database => path;

    private protected override string BlobType => "BLOB";

    private protected override string TextType => "TEXT";

    private protected override string SelectStateForWriteSql => "SELECT version, sealed FROM threshold_state WHERE id = 1";

    private protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = connections(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            // Per-connection settings (pooled connections keep them; setting them again is cheap).
            command.CommandText = "PRAGMA secure_delete = ON; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // Serializable, not deferred: Microsoft.Data.Sqlite begins it with BEGIN IMMEDIATE (the write lock up front).
    private protected override ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult(connection.BeginTransaction(IsolationLevel.Serializable));

    private protected override async ValueTask AfterDeletionAsync()
    {
        // The deleted row is zeroed in its page; checkpointing writes that page over the old one in the
        // database file and truncates the log that still held earlier images. The deletion is already
        // committed, so this is best effort: it waits at most briefly for readers, and a checkpoint that
        // cannot finish now is completed by a later one.
        try
        {
            await using var connection = await OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout = 200; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA busy_timeout = 30000;";
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (SqliteException)
        {
        }
    }

    private protected override ValueTask DisposeCoreAsync()
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Creates a new database file with mode 0600 (an empty file is an empty SQLite database); SQLite
    /// gives its -wal and -shm files the same mode. The rows are sealed, but their metadata is not.
    /// </summary>
    private static void CreateOwnerOnly(string path, FileStream lockFile)
    {
        if (File.Exists(path))
        {
            return;
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            new FileStream(path, options).Dispose();
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    private static FileStream AcquireLock(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            return new FileStream(path + ".lock", options);
        }
        catch (IOException)
        {
            throw new StorageInUseException(path);
        }
    }
}
