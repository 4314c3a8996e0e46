using System.Data;
using System.Data.Common;
using Npgsql;
using Threshold.Storage.Internal;
using Threshold.Storage.Sealing;

namespace Threshold.Storage;

/// <summary>
/// The server key store on PostgreSQL (Npgsql). Tables live in the connection's current schema (set
/// <c>Search Path</c> in the connection string to give each node its own schema, or give each node
/// its own database). Write transactions lock the state row (<c>SELECT … FOR UPDATE</c>); a
/// session-level advisory lock keyed by database and schema keeps a second store from opening it.
/// </summary>
public sealed class PostgresKeyStore : SealedKeyStore
{
    private readonly DbDataSource dataSource;
    private string database = "";

    private PostgresKeyStore(DbDataSource dataSource, IRecordSealer sealer, KeyStoreOptions? options)
        : base(sealer, options) => this.dataSource = dataSource;

    /// <summary>Opens (creating the tables if needed) the store behind <paramref name="connectionString"/>.</summary>
    /// <exception cref="StorageInUseException">Another store has this database and schema open.</exception>
    /// <exception cref="StorageIntegrityException">The database fails verification (see <see cref="KeyStoreOptions.VerifyOnOpen"/>).</exception>
    public static Task<PostgresKeyStore> OpenAsync(string connectionString, IRecordSealer sealer, KeyStoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return OpenAsync(NpgsqlDataSource.Create(connectionString), sealer, options, cancellationToken);
    }

    /// <summary>As above, on connections from <paramref name="dataSource"/> (Npgsql's, or one that wraps it); the store disposes it.</summary>
    internal static async Task<PostgresKeyStore> OpenAsync(DbDataSource dataSource, IRecordSealer sealer, KeyStoreOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var store = new PostgresKeyStore(dataSource, sealer, options);
        DbConnection? owner = null;
        try
        {
            owner = await store.dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (var command = owner.CreateCommand())
            {
                command.CommandText =
                    "SELECT current_database() || '.' || current_schema(), " +
                    "pg_try_advisory_lock(hashtextextended('threshold.storage:' || current_database() || '.' || current_schema(), 0))";
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                store.database = reader.GetString(0);
                if (!reader.GetBoolean(1))
                {
                    throw new StorageInUseException(store.database);
                }
            }

            var held = owner;
            await store.InitializeAsync(new Release(async () => await ReleaseAsync(held).ConfigureAwait(false)), options?.VerifyOnOpen ?? true, cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            if (owner is not null)
            {
                await ReleaseAsync(owner).ConfigureAwait(false);
            }

            await store.DisposeAsync().ConfigureAwait(false);

            throw;
        }
    }

    /// <inheritdoc />
    public override string Database => database;

    private protected override string BlobType => "BYTEA";

    private protected override string TextType => "TEXT COLLATE \"C\"";

    private protected override string SelectStateForWriteSql => "SELECT version, sealed FROM threshold_state WHERE id = 1 FOR UPDATE";

    private protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private protected override async ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    private protected override ValueTask DisposeCoreAsync() => dataSource.DisposeAsync();

    private static async Task ReleaseAsync(DbConnection owner)
    {
        try
        {
            if (owner.State == ConnectionState.Open)
            {
                await using var command = owner.CreateCommand();
                command.CommandText = "SELECT pg_advisory_unlock_all()";
                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            await owner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
