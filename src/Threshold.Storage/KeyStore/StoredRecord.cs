using System.Security.Cryptography;

namespace Threshold.Storage;

/// <summary>
/// A record as read from the store, its payload opened. Dispose it to wipe the payload (it may be a key
/// share); <see cref="ToString"/> never shows the payload.
/// </summary>
public sealed class StoredRecord : IDisposable
{
    private readonly byte[] payload;
    private bool disposed;

    internal StoredRecord(string table, string id, string owner, long version, byte[] payload)
    {
        Table = table;
        Id = id;
        Owner = owner;
        Version = version;
        this.payload = payload;
    }

    /// <summary>The logical table.</summary>
    public string Table { get; }

    /// <summary>The record id, unique within the table.</summary>
    public string Id { get; }

    /// <summary>The owning user (empty for node-level records).</summary>
    public string Owner { get; }

    /// <summary>The version, to pass as <c>expectedVersion</c> when updating or deleting it.</summary>
    public long Version { get; }

    /// <summary>The opened payload.</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public ReadOnlySpan<byte> Payload
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return payload;
        }
    }

    /// <summary>A copy of the payload (the caller wipes it).</summary>
    public byte[] PayloadCopy() => Payload.ToArray();

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(payload);
        disposed = true;
    }

    /// <summary>Table, id, owner and version; never the payload.</summary>
    public override string ToString() => $"{Table}/{Id} v{Version} (owner {Owner}, {payload.Length} bytes)";
}

/// <summary>
/// An item taken from a queue (a presignature). It is already deleted from the database; dispose it to
/// wipe the payload once used.
/// </summary>
public sealed class QueueItem : IDisposable
{
    private readonly byte[] payload;
    private bool disposed;

    internal QueueItem(string table, string partition, long sequence, byte[] payload)
    {
        Table = table;
        Partition = partition;
        Sequence = sequence;
        this.payload = payload;
    }

    /// <summary>The queue's table.</summary>
    public string Table { get; }

    /// <summary>The queue's partition (for example a key id and signer set).</summary>
    public string Partition { get; }

    /// <summary>The item's sequence number, unique in the store and increasing in enqueue order.</summary>
    public long Sequence { get; }

    /// <summary>The opened payload.</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public ReadOnlySpan<byte> Payload
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return payload;
        }
    }

    /// <summary>A copy of the payload (the caller wipes it).</summary>
    public byte[] PayloadCopy() => Payload.ToArray();

    /// <inheritdoc />
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(payload);
        disposed = true;
    }

    /// <summary>Table, partition and sequence number; never the payload.</summary>
    public override string ToString() => $"{Table}/{Partition}#{Sequence} ({payload.Length} bytes)";
}
