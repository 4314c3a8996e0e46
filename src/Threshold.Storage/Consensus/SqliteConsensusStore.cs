using System.Globalization;
using Microsoft.Data.Sqlite;
using Threshold.Storage.Internal;

namespace Threshold.Storage.Consensus;

/// <summary>
/// A consensus store in one SQLite file that several processes on one host share (for
/// <c>threshold cluster up</c>): WAL mode, every read-modify-write in a <c>BEGIN IMMEDIATE</c>
/// transaction, waiting up to 30 s for a busy lock. Heartbeats use this store's clock, which all
/// processes on one host share.
/// </summary>
public sealed class SqliteConsensusStore : IConsensusStore, IAsyncDisposable
{
    private readonly string path;
    private readonly string connectionString;
    private readonly TimeProvider clock;

    private SqliteConsensusStore(string path, TimeProvider? timeProvider)
    {
        this.path = path;
        clock = timeProvider ?? TimeProvider.System;
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Opens (creating if needed) the shared store in <paramref name="path"/>.</summary>
    public static async Task<SqliteConsensusStore> OpenAsync(string path, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var store = new SqliteConsensusStore(Path.GetFullPath(path), timeProvider);
        await using var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL", cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS consensus_failed_logins (usr TEXT NOT NULL, node TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (usr, node))", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS consensus_state_versions (node TEXT PRIMARY KEY, version INTEGER NOT NULL)", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS consensus_heartbeats (node TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    /// <summary>The database file.</summary>
    public string Database => path;

    /// <inheritdoc />
    public async Task<FailedLoginCount> RecordFailedLoginAsync(string user, string node, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        Names.Id(node, nameof(node));
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await ExecuteAsync(
            connection, transaction,
            "INSERT INTO consensus_failed_logins (usr, node, count) VALUES (@usr, @node, 1) ON CONFLICT (usr, node) DO UPDATE SET count = count + 1",
            cancellationToken, ("usr", user), ("node", node)).ConfigureAwait(false);
        var own = await ScalarAsync(connection, transaction, "SELECT count FROM consensus_failed_logins WHERE usr = @usr AND node = @node", cancellationToken, ("usr", user), ("node", node)).ConfigureAwait(false);
        var total = await ScalarAsync(connection, transaction, "SELECT COALESCE(SUM(count), 0) FROM consensus_failed_logins WHERE usr = @usr", cancellationToken, ("usr", user)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new FailedLoginCount(own ?? 0, total ?? 0);
    }

    /// <inheritdoc />
    public async Task ResetFailedLoginsAsync(string user, string node, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        Names.Id(node, nameof(node));
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "DELETE FROM consensus_failed_logins WHERE usr = @usr AND node = @node", cancellationToken, ("usr", user), ("node", node)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<long> FailedLoginTotalAsync(string user, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT COALESCE(SUM(count), 0) FROM consensus_failed_logins WHERE usr = @usr", cancellationToken, ("usr", user)).ConfigureAwait(false) ?? 0;
    }

    /// <inheritdoc />
    public async Task PublishStateVersionAsync(string node, long version, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var published = await ScalarAsync(connection, transaction, "SELECT version FROM consensus_state_versions WHERE node = @node", cancellationToken, ("node", node)).ConfigureAwait(false);
        if (published > version)
        {
            throw new StaleStateVersionException(node, published.Value, version);
        }

        await ExecuteAsync(
            connection, transaction,
            "INSERT INTO consensus_state_versions (node, version) VALUES (@node, @version) ON CONFLICT (node) DO UPDATE SET version = excluded.version",
            cancellationToken, ("node", node), ("version", version)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<long?> StateVersionAsync(string node, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ScalarAsync(connection, null, "SELECT version FROM consensus_state_versions WHERE node = @node", cancellationToken, ("node", node)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task HeartbeatAsync(string node, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection, null,
            "INSERT INTO consensus_heartbeats (node, at_ms) VALUES (@node, @at) ON CONFLICT (node) DO UPDATE SET at_ms = MAX(at_ms, excluded.at_ms)",
            cancellationToken, ("node", node), ("at", now)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<NodeHeartbeat>> LiveNodesAsync(TimeSpan within, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(within, TimeSpan.Zero);
        var cutoff = clock.GetUtcNow().ToUnixTimeMilliseconds() - (long)within.TotalMilliseconds;
        var live = new List<NodeHeartbeat>();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT node, at_ms FROM consensus_heartbeats WHERE at_ms >= @cutoff ORDER BY node", ("cutoff", cutoff));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            live.Add(new NodeHeartbeat(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
        }

        return live;
    }

    /// <summary>Releases pooled connections to the file.</summary>
    public ValueTask DisposeAsync()
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    /// <summary>Names the file only.</summary>
    public override string ToString() => $"{nameof(SqliteConsensusStore)} ({path})";

    private async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, "PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL;", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }
}
