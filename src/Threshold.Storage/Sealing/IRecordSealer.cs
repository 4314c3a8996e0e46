namespace Threshold.Storage.Sealing;

/// <summary>What kind of row a sealed value belongs to (part of its binding, so values cannot move between kinds).</summary>
public enum SealedKind : byte
{
    /// <summary>A generic record (key share, aux info, OPAQUE record, user seed, key metadata).</summary>
    Record = 1,
    /// <summary>A queue item (a presignature).</summary>
    QueueItem = 2,
    /// <summary>An audit log entry.</summary>
    AuditEntry = 3,
    /// <summary>The node's state (state version, inventory digest, audit head).</summary>
    NodeState = 4,
}

/// <summary>
/// Where a sealed value lives: the associated data of its seal. A value opens only under exactly the
/// binding it was sealed with, so a row copied to another table, id, owner or version, or an old
/// ciphertext put back under a newer version, fails to open.
/// </summary>
/// <param name="Kind">The kind of row.</param>
/// <param name="Table">The logical table (empty for audit entries and the node state).</param>
/// <param name="Id">The record id or queue partition (empty for audit entries and the node state).</param>
/// <param name="Owner">The owning user (empty where there is none).</param>
/// <param name="Version">The record version, queue sequence number, audit sequence number or state version.</param>
public readonly record struct RecordBinding(SealedKind Kind, string Table, string Id, string Owner, long Version)
{
    /// <summary>The table name reported in an integrity error.</summary>
    internal string ReportedTable => Kind switch
    {
        SealedKind.AuditEntry => "audit",
        SealedKind.NodeState => "state",
        _ => Table,
    };

    /// <summary>The id reported in an integrity error.</summary>
    internal string ReportedId => Kind switch
    {
        SealedKind.QueueItem => $"{Id}#{Version}",
        SealedKind.AuditEntry or SealedKind.NodeState => Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Id,
    };
}

/// <summary>
/// Seals and opens stored values under the node's storage key, and computes keyed tags for the
/// store's inventory. The store sees only this interface: today <see cref="AesGcmRecordSealer"/> with a
/// key file; a KMS, HSM or enclave implementation keeps the key inside the device (for example by
/// unwrapping a data key at start-up, or by calling the device per value). Implementations are
/// thread-safe.
/// </summary>
public interface IRecordSealer
{
    /// <summary>A short public identifier of the key in use (recorded in every sealed value, for rotation).</summary>
    string KeyId { get; }

    /// <summary>Encrypts and authenticates <paramref name="plaintext"/> bound to <paramref name="binding"/>.</summary>
    byte[] Seal(in RecordBinding binding, ReadOnlySpan<byte> plaintext);

    /// <summary>
    /// Opens a value sealed under <paramref name="binding"/>; false if it was modified, sealed under
    /// another binding or another key. Never throws for bad input.
    /// </summary>
    bool TryOpen(in RecordBinding binding, ReadOnlySpan<byte> sealedValue, out byte[] plaintext);

    /// <summary>A 32-byte keyed pseudorandom tag of <paramref name="message"/> (HMAC-SHA-256 under a key derived from the storage key).</summary>
    void ComputeTag(ReadOnlySpan<byte> message, Span<byte> tag);

    /// <summary>Opens a sealed value or throws.</summary>
    /// <exception cref="StorageIntegrityException">The value does not open under <paramref name="binding"/> (names the table and id only).</exception>
    byte[] Open(in RecordBinding binding, ReadOnlySpan<byte> sealedValue) =>
        TryOpen(binding, sealedValue, out var plaintext)
            ? plaintext
            : throw new StorageIntegrityException(IntegrityFailure.SealBroken, binding.ReportedTable, binding.ReportedId);
}
