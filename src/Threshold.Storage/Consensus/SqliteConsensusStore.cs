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
        var id = attempt.Id.ToArray();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await SweepAsync(connection, transaction, now, cancellationToken).ConfigureAwait(false);
        var storedTat = await ScalarAsync(connection, transaction, "SELECT tat_ms FROM consensus_login_budgets WHERE usr = @usr", cancellationToken, ("usr", attempt.User)).ConfigureAwait(false);
        LoginAdmission admission;
        await using (var command = Command(connection, transaction, "SELECT binding FROM consensus_login_attempts WHERE usr = @usr AND attempt = @attempt", ("usr", attempt.User), ("attempt", id)))
        {
            var binding = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
            if (binding is not null)
            {
                var (left, next) = LoginBucket.Peek(storedTat, now, policy);
                var outcome = LoginAdmissionOutcome.BindingMismatch;
                if (binding.AsSpan().SequenceEqual(attempt.Binding))
                {
                    var added = await ExecuteAsync(
                        connection, transaction,
                        "INSERT INTO consensus_login_attempt_nodes (usr, attempt, node, expires_ms) SELECT usr, attempt, @node, expires_ms FROM consensus_login_attempts WHERE usr = @usr AND attempt = @attempt ON CONFLICT DO NOTHING",
                        cancellationToken, ("usr", attempt.User), ("attempt", id), ("node", attempt.Node)).ConfigureAwait(false);
                    outcome = added == 1 ? LoginAdmissionOutcome.Joined : LoginAdmissionOutcome.AlreadyServed;
                }

                admission = new LoginAdmission(outcome, left, left == 0 ? At(next) : null);
            }
            else
            {
                var (admitted, tat, tokensLeft, nextToken) = LoginBucket.Charge(storedTat, now, policy);
                if (!admitted)
                {
                    admission = new LoginAdmission(LoginAdmissionOutcome.Locked, 0, At(nextToken));
                }
                else
                {
                    var expires = now + LoginBucket.Milliseconds(policy.AttemptLifetime);
                    await SetTatAsync(connection, transaction, attempt.User, tat, cancellationToken).ConfigureAwait(false);
                    await ExecuteAsync(
                        connection, transaction,
                        "INSERT INTO consensus_login_attempts (usr, attempt, binding, expires_ms, refunded) VALUES (@usr, @attempt, @binding, @expires, 0)",
                        cancellationToken, ("usr", attempt.User), ("attempt", id), ("binding", attempt.Binding.ToArray()), ("expires", expires)).ConfigureAwait(false);
                    await ExecuteAsync(
                        connection, transaction,
                        "INSERT INTO consensus_login_attempt_nodes (usr, attempt, node, expires_ms) VALUES (@usr, @attempt, @node, @expires)",
                        cancellationToken, ("usr", attempt.User), ("attempt", id), ("node", attempt.Node), ("expires", expires)).ConfigureAwait(false);
                    admission = new LoginAdmission(LoginAdmissionOutcome.Charged, tokensLeft, tokensLeft == 0 ? At(nextToken) : null);
                }
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return admission;
    }

    /// <inheritdoc />
    public async Task<bool> RefundLoginAttemptAsync(string user, ReadOnlyMemory<byte> attemptId, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        if (attemptId.Length != LoginAttempt.IdLength)
        {
            throw new ArgumentException($"an attempt id is {LoginAttempt.IdLength} bytes", nameof(attemptId));
        }

        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: false);
        var marked = await ExecuteAsync(
            connection, transaction,
            "UPDATE consensus_login_attempts SET refunded = 1 WHERE usr = @usr AND attempt = @attempt AND refunded = 0 AND expires_ms > @now",
            cancellationToken, ("usr", user), ("attempt", attemptId.ToArray()), ("now", now)).ConfigureAwait(false);
        if (marked == 1)
        {
            var storedTat = await ScalarAsync(connection, transaction, "SELECT tat_ms FROM consensus_login_budgets WHERE usr = @usr", cancellationToken, ("usr", user)).ConfigureAwait(false);
            if (LoginBucket.Refund(storedTat, now, policy) is { } tat)
            {
                await SetTatAsync(connection, transaction, user, tat, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ExecuteAsync(connection, transaction, "DELETE FROM consensus_login_budgets WHERE usr = @usr", cancellationToken, ("usr", user)).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return marked == 1;
    }

    /// <inheritdoc />
    public async Task<LoginBudgetState> LoginBudgetAsync(string user, LoginBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        Names.Id(user, nameof(user));
        ArgumentNullException.ThrowIfNull(policy);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var storedTat = await ScalarAsync(connection, null, "SELECT tat_ms FROM consensus_login_budgets WHERE usr = @usr", cancellationToken, ("usr", user)).ConfigureAwait(false);
        var (left, next) = LoginBucket.Peek(storedTat, now, policy);
        return new LoginBudgetState(left, At(next));
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
        await ExecuteAsync(connection, transaction, "DELETE FROM consensus_login_budgets WHERE usr = @usr", cancellationToken, ("usr", user)).ConfigureAwait(false);
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
        await SweepAsync(connection, transaction, now, cancellationToken).ConfigureAwait(false);
        var budgets = await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM consensus_login_budgets", cancellationToken).ConfigureAwait(false);
        var attempts = await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM consensus_login_attempts", cancellationToken).ConfigureAwait(false);
        var nodes = await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM consensus_login_attempt_nodes", cancellationToken).ConfigureAwait(false);
        var unlocks = await ScalarAsync(connection, transaction, "SELECT COUNT(*) FROM consensus_login_unlocks", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new LoginStoreUsage(budgets ?? 0, attempts ?? 0, nodes ?? 0, unlocks ?? 0);
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
    /// The login budget's tables. A budget row exists only while the user's bucket is not full; attempt
    /// rows live for the policy's attempt lifetime. Both are swept by expiry through their indexes. The
    /// permanent failed-login counters of the first design never expired and are dropped.
    /// </summary>
    private static readonly string[] LoginSchema =
    [
        "DROP TABLE IF EXISTS consensus_failed_logins",
        "CREATE TABLE IF NOT EXISTS consensus_login_budgets (usr TEXT PRIMARY KEY, tat_ms INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS consensus_login_budgets_tat ON consensus_login_budgets (tat_ms)",
        "CREATE TABLE IF NOT EXISTS consensus_login_attempts (usr TEXT NOT NULL, attempt BLOB NOT NULL, binding BLOB NOT NULL, expires_ms INTEGER NOT NULL, refunded INTEGER NOT NULL, PRIMARY KEY (usr, attempt))",
        "CREATE INDEX IF NOT EXISTS consensus_login_attempts_expiry ON consensus_login_attempts (expires_ms)",
        "CREATE TABLE IF NOT EXISTS consensus_login_attempt_nodes (usr TEXT NOT NULL, attempt BLOB NOT NULL, node TEXT NOT NULL, expires_ms INTEGER NOT NULL, PRIMARY KEY (usr, attempt, node))",
        "CREATE INDEX IF NOT EXISTS consensus_login_attempt_nodes_expiry ON consensus_login_attempt_nodes (expires_ms)",
        "CREATE TABLE IF NOT EXISTS consensus_login_unlocks (seq INTEGER PRIMARY KEY AUTOINCREMENT, usr TEXT NOT NULL, at_ms INTEGER NOT NULL, by TEXT NOT NULL, reason TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS consensus_login_unlock_cursors (node TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
    ];

    private static async Task SweepAsync(SqliteConnection connection, SqliteTransaction transaction, long now, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "DELETE FROM consensus_login_attempt_nodes WHERE expires_ms <= @now", cancellationToken, ("now", now)).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "DELETE FROM consensus_login_attempts WHERE expires_ms <= @now", cancellationToken, ("now", now)).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "DELETE FROM consensus_login_budgets WHERE tat_ms <= @now", cancellationToken, ("now", now)).ConfigureAwait(false);
    }

    private static Task SetTatAsync(SqliteConnection connection, SqliteTransaction transaction, string user, long tat, CancellationToken cancellationToken) =>
        ExecuteAsync(
            connection, transaction,
            "INSERT INTO consensus_login_budgets (usr, tat_ms) VALUES (@usr, @tat) ON CONFLICT (usr) DO UPDATE SET tat_ms = excluded.tat_ms",
            cancellationToken, ("usr", user), ("tat", tat));

    private static DateTimeOffset? At(long? unixMilliseconds) => unixMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

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
