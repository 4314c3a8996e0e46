namespace Threshold.Storage;

/// <summary>What an integrity check of the (untrusted) database found.</summary>
public enum IntegrityFailure
{
    /// <summary>A sealed value does not open under its binding: modified, moved to another table, id, owner or version, or sealed under another key.</summary>
    SealBroken,
    /// <summary>A row is older than one this store has already seen or written (rolled back or resurrected after deletion).</summary>
    RolledBack,
    /// <summary>A queue item that was already taken is back (a presignature replay).</summary>
    Replayed,
    /// <summary>The set of rows does not match the authenticated inventory kept in the sealed state (a row added, removed, restored or altered).</summary>
    InventoryMismatch,
    /// <summary>The audit log's hash chain is broken: an entry modified, removed, inserted or reordered, or the log truncated.</summary>
    ChainBroken,
    /// <summary>The sealed node state is missing or differs from what this store last committed.</summary>
    StateMismatch,
}

/// <summary>
/// The database returned something this node did not write: a row failed to open, was rolled back,
/// replayed, added or removed. Names the table and id (or queue partition, or audit sequence number)
/// and never the stored contents. The database must be treated as compromised until investigated.
/// </summary>
public sealed class StorageIntegrityException : Exception
{
    /// <summary>Creates the error for the row (<paramref name="table"/>, <paramref name="id"/>).</summary>
    public StorageIntegrityException(IntegrityFailure failure, string table, string id)
        : base($"storage integrity check failed ({failure}) for {table}/{id}")
    {
        Failure = failure;
        Table = table;
        Id = id;
    }

    /// <summary>Which check failed.</summary>
    public IntegrityFailure Failure { get; }

    /// <summary>The logical table ("audit", "state", or a record or queue table name).</summary>
    public string Table { get; }

    /// <summary>The record id, queue partition and sequence number, or audit sequence number.</summary>
    public string Id { get; }
}

/// <summary>
/// An optimistic-concurrency check failed: the record was not at the version the caller expected
/// (someone else wrote or deleted it first). Nothing was stored; re-read and retry.
/// </summary>
public sealed class StorageConflictException : Exception
{
    /// <summary>Creates the error for (<paramref name="table"/>, <paramref name="id"/>).</summary>
    public StorageConflictException(string table, string id, long expectedVersion, long actualVersion)
        : base($"version conflict on {table}/{id}: expected version {expectedVersion}, found {actualVersion}")
    {
        Table = table;
        Id = id;
        ExpectedVersion = expectedVersion;
        ActualVersion = actualVersion;
    }

    /// <summary>The record's table.</summary>
    public string Table { get; }

    /// <summary>The record's id.</summary>
    public string Id { get; }

    /// <summary>The version the caller expected (<see cref="IKeyStore.Absent"/>: the record should not exist).</summary>
    public long ExpectedVersion { get; }

    /// <summary>The version found (<see cref="IKeyStore.Absent"/>: the record does not exist).</summary>
    public long ActualVersion { get; }
}

/// <summary>
/// Another store instance (in this or another process) already owns the database. A node's database
/// has exactly one writer, because the store checks every commit against the state it committed last.
/// </summary>
public sealed class StorageInUseException(string database)
    : Exception($"the database {database} is already open in another store instance")
{
    /// <summary>The database (file path, or PostgreSQL database and schema).</summary>
    public string Database { get; } = database;
}

/// <summary>Why a storage key could not be loaded.</summary>
public enum StorageKeyProblem
{
    /// <summary>The key file does not hold exactly 32 bytes.</summary>
    WrongLength,
    /// <summary>The key file can be read or written by the group or by others (it must be mode 0600 or stricter).</summary>
    TooPermissive,
}

/// <summary>The node's storage key file is unusable. Names the file, never its contents.</summary>
public sealed class StorageKeyException(StorageKeyProblem problem, string path)
    : Exception($"storage key file {path}: {Describe(problem)}")
{
    /// <summary>What is wrong with the file.</summary>
    public StorageKeyProblem Problem { get; } = problem;

    /// <summary>The key file.</summary>
    public string Path { get; } = path;

    private static string Describe(StorageKeyProblem problem) => problem switch
    {
        StorageKeyProblem.WrongLength => "must hold exactly 32 bytes",
        StorageKeyProblem.TooPermissive => "is accessible to group or others (chmod 600)",
        _ => problem.ToString(),
    };
}
