namespace Threshold.Storage;

/// <summary>
/// A node's sealed storage: versioned records, presignature queues and the audit log, on a database
/// that is not trusted (every value is sealed to its place; rollbacks, replays and removals are
/// detected). Each successful mutation commits in one transaction together with an increment of the
/// node's <see cref="GetStateVersionAsync">state version</see>; a failed one stores nothing.
/// </summary>
/// <remarks>
/// A database has exactly one open store at a time (opening a second throws
/// <see cref="StorageInUseException"/>). All members are thread-safe; mutations are serialised.
/// Identifiers: <c>table</c> is 1–64 of <c>[a-z0-9_.-]</c> starting with a letter; <c>id</c>,
/// <c>partition</c> and <c>owner</c> are up to 256 characters of valid UTF-16 (<c>owner</c> may be empty).
/// </remarks>
public interface IKeyStore : IAsyncDisposable
{
    /// <summary>The <c>expectedVersion</c> meaning "the record must not exist" (every stored version is positive).</summary>
    const long Absent = 0;

    /// <summary>
    /// Inserts or replaces a record if it is at <paramref name="expectedVersion"/>
    /// (<see cref="Absent"/> to create it). Returns its new version, which is the state version this
    /// mutation produced (so versions only grow, even across deletion and re-creation).
    /// </summary>
    /// <exception cref="StorageConflictException">The record is at another version (or exists when it should not); nothing was stored.</exception>
    /// <exception cref="StorageIntegrityException">The stored row or the node state failed an integrity check.</exception>
    Task<long> PutAsync(string table, string id, string owner, ReadOnlyMemory<byte> payload, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Reads and opens a record; null if there is none.</summary>
    /// <exception cref="StorageIntegrityException">The row does not open under its place, or is older than what this store has seen.</exception>
    Task<StoredRecord?> GetAsync(string table, string id, CancellationToken cancellationToken = default);

    /// <summary>All records of <paramref name="owner"/> in <paramref name="table"/>, ordered by id.</summary>
    /// <exception cref="StorageIntegrityException">A row failed an integrity check.</exception>
    Task<IReadOnlyList<StoredRecord>> ListByOwnerAsync(string table, string owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a record (the row is removed; SQLite overwrites the freed space). With
    /// <paramref name="expectedVersion"/>, only if the record is at that version. False if there was no record.
    /// </summary>
    /// <exception cref="StorageConflictException">The record is at another version; nothing was deleted.</exception>
    /// <exception cref="StorageIntegrityException">The stored row or the node state failed an integrity check.</exception>
    Task<bool> DeleteAsync(string table, string id, long? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The node's state version: 0 for a new database, plus one for every successful mutation. Read from
    /// the sealed state row and checked against what this store committed. The node publishes it to the
    /// consensus store; a database restored from an older copy shows a lower version than the one published.
    /// </summary>
    /// <exception cref="StorageIntegrityException">The state row failed to open or was rolled back.</exception>
    Task<long> GetStateVersionAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends <paramref name="payloads"/> to the queue (<paramref name="table"/>, <paramref name="partition"/>) in order, in one mutation.</summary>
    Task EnqueueAsync(string table, string partition, IReadOnlyList<ReadOnlyMemory<byte>> payloads, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the oldest item of the queue and returns it, in one transaction: once this returns, the
    /// item is gone from the database, and no caller (concurrent or later) can take it again. Null if
    /// the queue is empty.
    /// </summary>
    /// <exception cref="StorageIntegrityException">The item does not open under its place, or was already taken once (replayed).</exception>
    Task<QueueItem?> TakeAsync(string table, string partition, CancellationToken cancellationToken = default);

    /// <summary>How many items the queue holds.</summary>
    Task<long> CountAsync(string table, string partition, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends an audit entry for <paramref name="owner"/>, timestamped now and chained to the previous
    /// entry's hash. <paramref name="kind"/> is 1–64 of <c>[A-Za-z0-9_.-]</c>; <paramref name="details"/>
    /// (up to 4096 characters) is sealed and must hold no secret.
    /// </summary>
    Task<AuditEntry> AppendAuditAsync(string owner, string kind, AuditOutcome outcome, string details, CancellationToken cancellationToken = default);

    /// <summary>The audit entries of <paramref name="owner"/> timestamped at or after <paramref name="since"/>, oldest first.</summary>
    /// <exception cref="StorageIntegrityException">An entry failed to open, or its stored time or owner were changed.</exception>
    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string owner, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>
    /// Verifies the whole audit chain from the first entry to the head recorded in the sealed state.
    /// Returns the number of entries.
    /// </summary>
    /// <exception cref="StorageIntegrityException">An entry was modified, removed, inserted or reordered, or the log was truncated (<see cref="IntegrityFailure.ChainBroken"/> or <see cref="IntegrityFailure.SealBroken"/>).</exception>
    Task<long> VerifyChainAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Verifies the whole database against the sealed state: every record and queue item is present
    /// exactly as last written (none added, removed, restored or altered), and the audit chain is
    /// intact. Runs when the store opens (unless disabled) and whenever the node asks; writers wait
    /// while it runs.
    /// </summary>
    /// <exception cref="StorageIntegrityException">Something differs.</exception>
    Task VerifyAsync(CancellationToken cancellationToken = default);
}
