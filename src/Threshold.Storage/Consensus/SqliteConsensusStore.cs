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
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS consensus_state_versions (node TEXT PRIMARY KEY, version INTEGER NOT NULL)", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS consensus_heartbeats (node TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)", cancellationToken).ConfigureAwait(false);
        foreach (var statement in LoginSchema)
        {
            await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    /// <summary>The database file.</summary>
    public string Database => path;

    /// <inheritdoc />
    public async Task<LoginAdmission> AdmitLoginAttemptAsync(LoginAttempt attempt, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var records = await RecordsAsync(connection, transaction, attempt.User, cancellationToken).ConfigureAwait(false);
        var epoch = await EpochAsync(connection, transaction, attempt.User, cancellationToken).ConfigureAwait(false);
        var (admission, updated) = LoginLedger.Admit(records, epoch, attempt, policy, now);
        if (updated is not null)
        {
            await WriteRecordAsync(connection, transaction, attempt.User, attempt.Node, updated, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return admission;
    }

    /// <inheritdoc />
    public async Task<bool> RefundLoginAttemptAsync(string user, ReadOnlyMemory<byte> attemptId, string node, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        Names.Id(node, nameof(node));
        if (attemptId.Length != LoginAttempt.IdLength)
        {
            throw new ArgumentException($"an attempt id is {LoginAttempt.IdLength} bytes", nameof(attemptId));
        }

        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var records = await RecordsAsync(connection, transaction, user, cancellationToken).ConfigureAwait(false);
        if (!records.TryGetValue(node, out var own) || LoginLedger.Refund(own, attemptId.Span, policy, now) is not { } refunded)
        {
            return false;
        }

        await WriteRecordAsync(connection, transaction, user, node, refunded, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async Task<LoginBudgetState> LoginBudgetAsync(string user, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var records = await RecordsAsync(connection, null, user, cancellationToken).ConfigureAwait(false);
        var epoch = await EpochAsync(connection, null, user, cancellationToken).ConfigureAwait(false);
        return LoginLedger.Budget(records.Values, epoch, policy, now);
    }

    /// <inheritdoc />
    public async Task<long> UnlockLoginAsync(string user, string by, string reason, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        Names.Id(by, nameof(by));
        Names.Details(reason);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var sequence = await ScalarAsync(
            connection, transaction,
            "INSERT INTO consensus_login_unlocks (usr, at_ms, by, reason) VALUES (@usr, @at, @by, @reason) RETURNING seq",
            cancellationToken, ("usr", user), ("at", now), ("by", by), ("reason", reason)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return sequence ?? throw new InvalidOperationException("the unlock journal returned no sequence");
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<LoginUnlock>> UnauditedLoginUnlocksAsync(string node, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        var unlocks = new List<LoginUnlock>();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection, null,
            "SELECT seq, usr, at_ms, by, reason FROM consensus_login_unlocks WHERE seq > COALESCE((SELECT seq FROM consensus_login_unlock_cursors WHERE node = @node), 0) ORDER BY seq LIMIT 100",
            ("node", node));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            unlocks.Add(new LoginUnlock(reader.GetInt64(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3), reader.GetString(4)));
        }

        return unlocks;
    }

    /// <inheritdoc />
    public async Task MarkLoginUnlocksAuditedAsync(string node, long sequence, CancellationToken cancellationToken = default)
    {
        Names.Id(node, nameof(node));
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection, null,
            "INSERT INTO consensus_login_unlock_cursors (node, seq) VALUES (@node, @seq) ON CONFLICT (node) DO UPDATE SET seq = MAX(seq, excluded.seq)",
            cancellationToken, ("node", node), ("seq", sequence)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<LoginStoreUsage> SweepLoginStateAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var users = new Dictionary<string, Dictionary<string, NodeLoginRecord>>(StringComparer.Ordinal);
        await using (var command = Command(connection, transaction, "SELECT usr, node, record FROM consensus_login_records"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var user = reader.GetString(0);
                if (!users.TryGetValue(user, out var records))
                {
                    users[user] = records = new Dictionary<string, NodeLoginRecord>(StringComparer.Ordinal);
                }

                records[reader.GetString(1)] = LoginRecordCodec.Decode(reader.GetString(2));
            }
        }

        long budgets = 0, attempts = 0, attemptNodes = 0;
        foreach (var (user, records) in users)
        {
            var (spent, live, liveNodes) = LoginLedger.Usage(records.Values, await EpochAsync(connection, transaction, user, cancellationToken).ConfigureAwait(false), now);
            if (!spent && live == 0)
            {
                await ExecuteAsync(connection, transaction, "DELETE FROM consensus_login_records WHERE usr = @usr", cancellationToken, ("usr", user)).ConfigureAwait(false);
                continue;
            }

            budgets += spent ? 1 : 0;
            attempts += live;
            attemptNodes += liveNodes;
        }

        var unlocks = await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM consensus_login_unlocks", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new LoginStoreUsage(budgets, attempts, attemptNodes, unlocks ?? 0);
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

    /// <summary>
    /// The login budget's tables: one attempt log per (user, node), kept by <see cref="LoginLedger"/>, and
    /// the unlock journal. The budget and attempt tables of the shared-bucket design are dropped (what they
    /// held is at most one attempt lifetime and one budget refill old).
    /// </summary>
    private static readonly string[] LoginSchema =
    [
        "DROP TABLE IF EXISTS consensus_failed_logins",
        "DROP TABLE IF EXISTS consensus_login_budgets",
        "DROP TABLE IF EXISTS consensus_login_attempts",
        "DROP TABLE IF EXISTS consensus_login_attempt_nodes",
        "CREATE TABLE IF NOT EXISTS consensus_login_records (usr TEXT NOT NULL, node TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (usr, node))",
        "CREATE TABLE IF NOT EXISTS consensus_login_unlocks (seq INTEGER PRIMARY KEY AUTOINCREMENT, usr TEXT NOT NULL, at_ms INTEGER NOT NULL, by TEXT NOT NULL, reason TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS consensus_login_unlocks_usr ON consensus_login_unlocks (usr, seq)",
        "CREATE TABLE IF NOT EXISTS consensus_login_unlock_cursors (node TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
    ];

    private static async Task<Dictionary<string, NodeLoginRecord>> RecordsAsync(SqliteConnection connection, SqliteTransaction? transaction, string user, CancellationToken cancellationToken)
    {
        var records = new Dictionary<string, NodeLoginRecord>(StringComparer.Ordinal);
        await using var command = Command(connection, transaction, "SELECT node, record FROM consensus_login_records WHERE usr = @usr", ("usr", user));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records[reader.GetString(0)] = LoginRecordCodec.Decode(reader.GetString(1));
        }

        return records;
    }

    private static async Task<long> EpochAsync(SqliteConnection connection, SqliteTransaction? transaction, string user, CancellationToken cancellationToken) =>
        await ScalarAsync(connection, transaction, "SELECT MAX(seq) FROM consensus_login_unlocks WHERE usr = @usr", cancellationToken, ("usr", user)).ConfigureAwait(false) ?? 0;

    private static Task WriteRecordAsync(SqliteConnection connection, SqliteTransaction transaction, string user, string node, NodeLoginRecord record, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection, transaction,
            "INSERT INTO consensus_login_records (usr, node, record) VALUES (@usr, @node, @record) ON CONFLICT (usr, node) DO UPDATE SET record = excluded.record",
            cancellationToken, ("usr", user), ("node", node), ("record", LoginRecordCodec.Encode(record)));

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

    private static async Task<int> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<long?> ScalarAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }
}
