using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Threshold.Storage.Internal;
using Threshold.Storage.Sealing;

namespace Threshold.Storage;

/// <summary>
/// The <see cref="IKeyStore"/> logic shared by <see cref="SqliteKeyStore"/> and
/// <see cref="PostgresKeyStore"/>: both run the same SQL on the same schema and differ only in how
/// connections, write transactions and secure deletion are set up.
/// </summary>
/// <remarks>
/// Every mutation runs under one in-process writer lock and one database transaction that first reads
/// the sealed state row (locking it on PostgreSQL) and compares it with the state this store committed
/// last, then changes rows, then writes the next state (version + 1, updated inventory, audit head).
/// The in-memory copy changes only after the commit succeeds; if the outcome of a commit is unknown
/// (connection lost), the next operation reads the state row to learn which way it went.
/// </remarks>
public abstract partial class SealedKeyStore : IKeyStore
{
    private const string StateTable = "state";

    private readonly IRecordSealer sealer;
    private readonly TimeProvider clock;
    private readonly SemaphoreSlim writeGate = new(1, 1);

    // Highest version of each record this store has written, read, or deleted at (a row older than that is a rollback).
    private readonly ConcurrentDictionary<(string Table, string Id), long> recordFloors = new();

    // Lowest sequence number each queue may still hand out (anything below was taken, or never existed).
    private readonly ConcurrentDictionary<(string Table, string Partition), long> queueCursors = new();
    private long defaultCursor;

    private NodeState committed = NodeState.Genesis;
    private PendingCommit? pending;
    private IAsyncDisposable? ownership;
    private bool disposed;

    private protected SealedKeyStore(IRecordSealer sealer, KeyStoreOptions? options)
    {
        ArgumentNullException.ThrowIfNull(sealer);
        this.sealer = sealer;
        clock = (options ?? new KeyStoreOptions()).TimeProvider;
    }

    /// <summary>The database this store owns, for messages (a file path, or a PostgreSQL database and schema).</summary>
    public abstract string Database { get; }

    /// <summary>The SQL type of sealed values.</summary>
    private protected abstract string BlobType { get; }

    /// <summary>The SQL type of names (byte-wise ordering on both databases).</summary>
    private protected abstract string TextType { get; }

    /// <summary>The statement that reads the state row inside a write transaction (locking it where the database can).</summary>
    private protected abstract string SelectStateForWriteSql { get; }

    /// <summary>Opens a connection, configured for this database.</summary>
    private protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Begins a write transaction on <paramref name="connection"/>.</summary>
    private protected abstract ValueTask<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Runs after a committed deletion (SQLite: checkpoint the WAL so freed pages are overwritten in place).</summary>
    private protected virtual ValueTask AfterDeletionAsync() => ValueTask.CompletedTask;

    /// <summary>Creates the schema if needed, loads (or creates) the sealed state, and verifies the database.</summary>
    private protected async Task InitializeAsync(IAsyncDisposable databaseOwnership, bool verify, CancellationToken cancellationToken)
    {
        ownership = databaseOwnership;
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            foreach (var statement in Schema())
            {
                await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
            }

            var state = await ReadStateAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                if (await HoldsAnyRowAsync(connection, transaction, cancellationToken).ConfigureAwait(false))
                {
                    // Rows without a state: the state row was deleted to make the store start over.
                    throw new StorageIntegrityException(IntegrityFailure.StateMismatch, StateTable, "missing");
                }

                state = SealState(NodeState.Genesis);
                await ExecuteAsync(
                    connection, transaction, "INSERT INTO threshold_state (id, version, sealed) VALUES (1, @version, @sealed)", cancellationToken,
                    ("version", state.Version), ("sealed", state.Sealed)).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            committed = state;
        }

        defaultCursor = committed.NextItem;
        await using (var command = Command(connection, null, "SELECT tbl, part, MIN(seq) FROM threshold_queue GROUP BY tbl, part"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                queueCursors[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
            }
        }

        if (verify)
        {
            await VerifyAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<long> GetStateVersionAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await ResolvePendingAsync(connection, cancellationToken).ConfigureAwait(false);
            await CheckStateAsync(connection, null, "SELECT version, sealed FROM threshold_state WHERE id = 1", cancellationToken).ConfigureAwait(false);
            return committed.Version;
        }
        finally
        {
            writeGate.Release();
        }
    }

    /// <summary>Releases the database (other store instances may open it afterwards).</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            // No mutation can run now (the writer lock is held); release the database, then the connections.
            if (ownership is not null)
            {
                await ownership.DisposeAsync().ConfigureAwait(false);
            }

            await DisposeCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            writeGate.Release();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the connections of the derived store (called once, after the ownership lock is released).</summary>
    private protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;

    /// <summary>Names the database only.</summary>
    public override string ToString() => $"{GetType().Name} ({Database})";

    private IEnumerable<string> Schema()
    {
        var text = TextType;
        var blob = BlobType;
        yield return $"CREATE TABLE IF NOT EXISTS threshold_state (id INTEGER PRIMARY KEY, version BIGINT NOT NULL, sealed {blob} NOT NULL)";
        yield return $"CREATE TABLE IF NOT EXISTS threshold_records (tbl {text} NOT NULL, id {text} NOT NULL, owner {text} NOT NULL, version BIGINT NOT NULL, sealed {blob} NOT NULL, PRIMARY KEY (tbl, id))";
        yield return "CREATE INDEX IF NOT EXISTS threshold_records_owner ON threshold_records (tbl, owner, id)";
        yield return $"CREATE TABLE IF NOT EXISTS threshold_queue (tbl {text} NOT NULL, part {text} NOT NULL, seq BIGINT NOT NULL, sealed {blob} NOT NULL, PRIMARY KEY (tbl, part, seq))";
        yield return $"CREATE TABLE IF NOT EXISTS threshold_audit (seq BIGINT PRIMARY KEY, owner {text} NOT NULL, at_ms BIGINT NOT NULL, sealed {blob} NOT NULL)";
        yield return "CREATE INDEX IF NOT EXISTS threshold_audit_owner ON threshold_audit (owner, at_ms, seq)";
    }

    private static async Task<bool> HoldsAnyRowAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        foreach (var table in new[] { "threshold_records", "threshold_queue", "threshold_audit" })
        {
            await using var command = Command(connection, transaction, $"SELECT 1 FROM {table} LIMIT 1");
            if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                return true;
            }
        }

        return false;
    }

    // ---- the mutation machinery ----

    /// <summary>
    /// Runs <paramref name="body"/> as one mutation: writer lock, transaction, state check, body, next
    /// state, commit; memory updated only after the commit. A body that changes nothing sets
    /// <see cref="Mutation.Unchanged"/> (the transaction is rolled back and the version stays).
    /// </summary>
    private async Task<T> MutateAsync<T>(Func<Mutation, Task<T>> body, CancellationToken cancellationToken)
    {
        var (result, deleted) = await MutateUnderLockAsync(body, cancellationToken).ConfigureAwait(false);
        if (deleted)
        {
            await AfterDeletionAsync().ConfigureAwait(false); // outside the writer lock: it need not hold up the next write
        }

        return result;
    }

    private async Task<(T Result, bool Deleted)> MutateUnderLockAsync<T>(Func<Mutation, Task<T>> body, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await ResolvePendingAsync(connection, cancellationToken).ConfigureAwait(false);
            Mutation mutation;
            NodeState next;
            T result;
            await using (var transaction = await BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                await CheckStateAsync(connection, transaction, SelectStateForWriteSql, cancellationToken).ConfigureAwait(false);
                mutation = new Mutation(this, connection, transaction, committed, cancellationToken);
                result = await body(mutation).ConfigureAwait(false);
                if (mutation.Unchanged)
                {
                    await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                    return (result, false);
                }

                try
                {
                    next = SealState(mutation.NextState());
                    await ExecuteAsync(
                        connection, transaction, "UPDATE threshold_state SET version = @version, sealed = @sealed WHERE id = 1", cancellationToken,
                        ("version", next.Version), ("sealed", next.Sealed)).ConfigureAwait(false);
                }
                catch
                {
                    (result as IDisposable)?.Dispose();
                    throw;
                }

                try
                {
                    // Not cancellable: a cancelled commit would leave its outcome unknown.
                    await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch
                {
                    pending = new PendingCommit(committed, next, mutation.OnCommit);
                    (result as IDisposable)?.Dispose();
                    throw;
                }
            }

            committed = next;
            mutation.OnCommit?.Invoke();
            return (result, mutation.Deleted);
        }
        finally
        {
            writeGate.Release();
        }
    }

    /// <summary>After a commit whose outcome was unknown: adopt the committed state if the database has it.</summary>
    private async Task ResolvePendingAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (pending is not { } open)
        {
            return;
        }

        var row = await ReadStateRowAsync(connection, null, "SELECT version, sealed FROM threshold_state WHERE id = 1", cancellationToken).ConfigureAwait(false);
        if (Matches(row, open.Next))
        {
            committed = open.Next;
            open.OnCommit?.Invoke();
        }
        else if (!Matches(row, open.Previous))
        {
            throw Diagnose(row);
        }

        pending = null;
    }

    /// <summary>Reads the state row and requires it to be exactly what this store committed last.</summary>
    private async Task CheckStateAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        var row = await ReadStateRowAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
        if (!Matches(row, committed))
        {
            throw Diagnose(row);
        }
    }

    private static bool Matches((long Version, byte[] Sealed)? row, NodeState state) =>
        row is { } stored && stored.Version == state.Version && stored.Sealed.AsSpan().SequenceEqual(state.Sealed);

    private StorageIntegrityException Diagnose((long Version, byte[] Sealed)? row)
    {
        if (row is not { } stored)
        {
            return new StorageIntegrityException(IntegrityFailure.StateMismatch, StateTable, "missing");
        }

        var id = stored.Version.ToString(CultureInfo.InvariantCulture);
        if (!sealer.TryOpen(new RecordBinding(SealedKind.NodeState, "", "", "", stored.Version), stored.Sealed, out var plaintext))
        {
            return new StorageIntegrityException(IntegrityFailure.SealBroken, StateTable, id);
        }

        var failure = TryDecode(plaintext) is { } state && state.Version < committed.Version ? IntegrityFailure.RolledBack : IntegrityFailure.StateMismatch;
        return new StorageIntegrityException(failure, StateTable, id);
    }

    private static NodeState? TryDecode(byte[] plaintext)
    {
        try
        {
            return NodeState.Decode(plaintext);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private async Task<NodeState?> ReadStateAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var row = await ReadStateRowAsync(connection, transaction, SelectStateForWriteSql, cancellationToken).ConfigureAwait(false);
        if (row is not { } stored)
        {
            return null;
        }

        var binding = new RecordBinding(SealedKind.NodeState, "", "", "", stored.Version);
        var state = TryDecode(sealer.Open(binding, stored.Sealed));
        if (state is null || state.Version != stored.Version)
        {
            throw new StorageIntegrityException(IntegrityFailure.StateMismatch, StateTable, stored.Version.ToString(CultureInfo.InvariantCulture));
        }

        return state with { Sealed = stored.Sealed };
    }

    private static async Task<(long Version, byte[] Sealed)?> ReadStateRowAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
    }

    private NodeState SealState(NodeState state) =>
        state with { Sealed = sealer.Seal(new RecordBinding(SealedKind.NodeState, "", "", "", state.Version), state.Encode()) };

    // ---- SQL helpers ----

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A commit whose outcome is unknown: the state before, the state it would produce, and what to do in memory if it happened.</summary>
    private sealed record PendingCommit(NodeState Previous, NodeState Next, Action? OnCommit);

    /// <summary>One mutation in progress: its transaction, and the next state it is building.</summary>
    private sealed class Mutation(SealedKeyStore store, DbConnection connection, DbTransaction transaction, NodeState current, CancellationToken cancellationToken)
    {
        public SealedKeyStore Store { get; } = store;

        public DbConnection Connection { get; } = connection;

        public DbTransaction Transaction { get; } = transaction;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        /// <summary>The state version this mutation produces (also the version of every record it writes).</summary>
        public long Version { get; } = current.Version + 1;

        public Inventory Inventory { get; set; } = current.Inventory;

        public long NextItem { get; set; } = current.NextItem;

        public long AuditCount { get; set; } = current.AuditCount;

        public byte[] AuditHead { get; set; } = current.AuditHead;

        /// <summary>Nothing changed: roll back and keep the version.</summary>
        public bool Unchanged { get; set; }

        /// <summary>A row was deleted (secure-deletion housekeeping runs after the commit).</summary>
        public bool Deleted { get; set; }

        /// <summary>Memory updates that take effect once the commit succeeded.</summary>
        public Action? OnCommit { get; set; }

        public NodeState NextState() => new(Version, Inventory, NextItem, AuditCount, AuditHead);

        public Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters) =>
            SealedKeyStore.ExecuteAsync(Connection, Transaction, sql, CancellationToken, parameters);

        public DbCommand Command(string sql, params (string Name, object Value)[] parameters) =>
            SealedKeyStore.Command(Connection, Transaction, sql, parameters);
    }
}
