namespace Threshold.Storage;

/// <summary>How an audited operation ended.</summary>
public enum AuditOutcome
{
    /// <summary>The operation began (for example a login attempt was received).</summary>
    Started = 1,
    /// <summary>The operation succeeded.</summary>
    Succeeded = 2,
    /// <summary>The operation failed or was refused.</summary>
    Failed = 3,
}

/// <summary>
/// One entry of the hash-chained audit log. <see cref="Hash"/> is
/// SHA-256 over the canonical encoding of the sequence number, the previous entry's hash, time, owner,
/// kind, outcome and details; the first entry's previous hash is 32 zero bytes.
/// </summary>
/// <param name="Sequence">Position in the log, from 1, without gaps.</param>
/// <param name="Time">When it was appended (UTC, millisecond precision).</param>
/// <param name="Owner">The user the entry concerns (empty for node events).</param>
/// <param name="Kind">The event kind (for example "login", "sign", "export").</param>
/// <param name="Outcome">How the operation ended.</param>
/// <param name="Details">Free text without secrets (key id, request id, origin, reason).</param>
/// <param name="PreviousHash">The previous entry's <see cref="Hash"/>.</param>
/// <param name="Hash">This entry's hash.</param>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset Time,
    string Owner,
    string Kind,
    AuditOutcome Outcome,
    string Details,
    ReadOnlyMemory<byte> PreviousHash,
    ReadOnlyMemory<byte> Hash);
