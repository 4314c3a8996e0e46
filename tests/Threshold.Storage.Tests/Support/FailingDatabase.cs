using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace Threshold.Storage.Tests.Support;

/// <summary>
/// Failures a test makes the database report to the key store, at chosen points of a commit: a wrapper
/// around the store's own connections (<see cref="FailingConnection"/>), so the store runs unchanged.
/// Both may be changed at any time; null fails nothing.
/// </summary>
public sealed class DatabaseFaults
{
    /// <summary>
    /// Thrown once the statement that writes the next state row has run, before the commit: the disk
    /// fails inside the transaction, so nothing of it is committed and the store knows so.
    /// </summary>
    public Func<Exception?>? AfterStateWrite { get; set; }

    /// <summary>Thrown after a commit went through: the caller sees an error, the commit's outcome is unknown to it.</summary>
    public Func<Exception?>? AfterCommit { get; set; }

    /// <summary>After <paramref name="sql"/> has run in a transaction.</summary>
    internal void Executed(string sql)
    {
        if (sql.StartsWith("UPDATE threshold_state ", StringComparison.Ordinal))
        {
            Raise(AfterStateWrite);
        }
    }

    /// <summary>After a transaction has committed.</summary>
    internal void Committed() => Raise(AfterCommit);

    private static void Raise(Func<Exception?>? fault)
    {
        if (fault?.Invoke() is { } failure)
        {
            throw failure;
        }
    }
}

/// <summary>A connection that passes everything to <see cref="Inner"/> and fails where <see cref="DatabaseFaults"/> says.</summary>
[SuppressMessage("Design", "CA1063", Justification = "a pass-through wrapper")]
public sealed class FailingConnection(DbConnection inner, DatabaseFaults faults) : DbConnection
{
    internal DbConnection Inner { get; } = inner;

    internal DatabaseFaults Faults { get; } = faults;

    [AllowNull]
    public override string ConnectionString
    {
        get => Inner.ConnectionString;
        set => Inner.ConnectionString = value;
    }

    public override string Database => Inner.Database;

    public override string DataSource => Inner.DataSource;

    public override string ServerVersion => Inner.ServerVersion;

    public override ConnectionState State => Inner.State;

    public override void ChangeDatabase(string databaseName) => Inner.ChangeDatabase(databaseName);

    public override void Close() => Inner.Close();

    public override void Open() => Inner.Open();

    public override Task OpenAsync(CancellationToken cancellationToken) => Inner.OpenAsync(cancellationToken);

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => new FailingTransaction(this, Inner.BeginTransaction(isolationLevel));

    protected override async ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken) =>
        new FailingTransaction(this, await Inner.BeginTransactionAsync(isolationLevel, cancellationToken));

    protected override DbCommand CreateDbCommand() => new FailingCommand(this, Inner.CreateCommand());

    public override ValueTask DisposeAsync() => Inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Connections from <see cref="Inner"/>, each wrapped in a <see cref="FailingConnection"/>.</summary>
public sealed class FailingDataSource(DbDataSource inner, DatabaseFaults faults) : DbDataSource
{
    private DbDataSource Inner { get; } = inner;

    public override string ConnectionString => Inner.ConnectionString;

    protected override DbConnection CreateDbConnection() => new FailingConnection(Inner.CreateConnection(), faults);

    protected override async ValueTask DisposeAsyncCore() => await Inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A transaction whose commit may be reported as failed after it went through.</summary>
internal sealed class FailingTransaction(FailingConnection connection, DbTransaction inner) : DbTransaction
{
    internal DbTransaction Inner { get; } = inner;

    public override IsolationLevel IsolationLevel => Inner.IsolationLevel;

    protected override DbConnection DbConnection => connection;

    public override void Commit()
    {
        Inner.Commit();
        connection.Faults.Committed();
    }

    public override async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        await Inner.CommitAsync(cancellationToken);
        connection.Faults.Committed();
    }

    public override void Rollback() => Inner.Rollback();

    public override Task RollbackAsync(CancellationToken cancellationToken = default) => Inner.RollbackAsync(cancellationToken);

    public override ValueTask DisposeAsync() => Inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A command that may fail once it has written the state row.</summary>
internal sealed class FailingCommand(FailingConnection connection, DbCommand inner) : DbCommand
{
    private FailingTransaction? transaction;

    [AllowNull]
    public override string CommandText
    {
        get => inner.CommandText;
        set => inner.CommandText = value;
    }

    public override int CommandTimeout
    {
        get => inner.CommandTimeout;
        set => inner.CommandTimeout = value;
    }

    public override CommandType CommandType
    {
        get => inner.CommandType;
        set => inner.CommandType = value;
    }

    public override bool DesignTimeVisible
    {
        get => inner.DesignTimeVisible;
        set => inner.DesignTimeVisible = value;
    }

    public override UpdateRowSource UpdatedRowSource
    {
        get => inner.UpdatedRowSource;
        set => inner.UpdatedRowSource = value;
    }

    protected override DbConnection? DbConnection
    {
        get => connection;
        set => throw new NotSupportedException("a wrapped command stays on its connection");
    }

    protected override DbParameterCollection DbParameterCollection => inner.Parameters;

    protected override DbTransaction? DbTransaction
    {
        get => transaction;
        set
        {
            // The inner command runs in the inner transaction.
            transaction = (FailingTransaction?)value;
            inner.Transaction = transaction?.Inner;
        }
    }

    public override void Cancel() => inner.Cancel();

    public override void Prepare() => inner.Prepare();

    protected override DbParameter CreateDbParameter() => inner.CreateParameter();

    public override int ExecuteNonQuery()
    {
        var rows = inner.ExecuteNonQuery();
        AfterExecute();
        return rows;
    }

    public override async Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken)
    {
        var rows = await inner.ExecuteNonQueryAsync(cancellationToken);
        AfterExecute();
        return rows;
    }

    public override object? ExecuteScalar() => inner.ExecuteScalar();

    public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) => inner.ExecuteScalarAsync(cancellationToken);

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => inner.ExecuteReader(behavior);

    protected override Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) => inner.ExecuteReaderAsync(behavior, cancellationToken);

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void AfterExecute() => connection.Faults.Executed(inner.CommandText);
}
