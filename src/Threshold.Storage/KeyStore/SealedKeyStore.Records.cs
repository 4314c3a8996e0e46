using System.Data.Common;
using System.Security.Cryptography;
using Threshold.Storage.Internal;
using Threshold.Storage.Sealing;

namespace Threshold.Storage;

public abstract partial class SealedKeyStore
{
    /// <inheritdoc />
    public Task<long> PutAsync(string table, string id, string owner, ReadOnlyMemory<byte> payload, long expectedVersion, CancellationToken cancellationToken = default)
    {
        Names.Table(table);
        Names.Id(id, nameof(id));
        Names.Id(owner, nameof(owner), allowEmpty: true);
        Names.Payload(payload);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        return MutateAsync(
            async mutation =>
            {
                var row = await ReadRecordRowAsync(mutation.Connection, mutation.Transaction, table, id, mutation.CancellationToken).ConfigureAwait(false);
                var actual = row?.Version ?? IKeyStore.Absent;
                if (row is { } existing)
                {
                    Authenticate(table, id, existing);
                }

                if (actual != expectedVersion)
                {
                    throw new StorageConflictException(table, id, expectedVersion, actual);
                }

                var version = mutation.Version;
                var sealedValue = sealer.Seal(new RecordBinding(SealedKind.Record, table, id, owner, version), payload.Span);
                if (row is { } old)
                {
                    await mutation.ExecuteAsync(
                        "UPDATE threshold_records SET owner = @owner, version = @version, sealed = @sealed WHERE tbl = @tbl AND id = @id",
                        ("owner", owner), ("version", version), ("sealed", sealedValue), ("tbl", table), ("id", id)).ConfigureAwait(false);
                    mutation.Inventory = mutation.Inventory.Subtract(RecordTag(table, id, old.Owner, old.Version, old.Sealed));
                }
                else
                {
                    await mutation.ExecuteAsync(
                        "INSERT INTO threshold_records (tbl, id, owner, version, sealed) VALUES (@tbl, @id, @owner, @version, @sealed)",
                        ("tbl", table), ("id", id), ("owner", owner), ("version", version), ("sealed", sealedValue)).ConfigureAwait(false);
                }

                mutation.Inventory = mutation.Inventory.Add(RecordTag(table, id, owner, version, sealedValue));
                mutation.OnCommit = () => RaiseFloor(table, id, version);
                return version;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<StoredRecord?> GetAsync(string table, string id, CancellationToken cancellationToken = default)
    {
        Names.Table(table);
        Names.Id(id, nameof(id));
        ObjectDisposedException.ThrowIf(disposed, this);
        var floor = Floor(table, id); // read before the row, so a concurrent commit cannot make a fresh row look old
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await ReadRecordRowAsync(connection, null, table, id, cancellationToken).ConfigureAwait(false);
        return row is { } found ? OpenRecord(table, id, found, floor) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredRecord>> ListByOwnerAsync(string table, string owner, CancellationToken cancellationToken = default)
    {
        Names.Table(table);
        Names.Id(owner, nameof(owner), allowEmpty: true);
        ObjectDisposedException.ThrowIf(disposed, this);
        // A floor counts only if it was committed before the query began: floors raised by commits
        // that race with the query are newer than the rows it may return.
        var horizon = committed.Version;
        var rows = new List<(string Id, RecordRow Row)>();
        await using (var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var command = Command(connection, null, "SELECT id, owner, version, sealed FROM threshold_records WHERE tbl = @tbl AND owner = @owner ORDER BY id", ("tbl", table), ("owner", owner)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetString(0), new RecordRow(reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<byte[]>(3))));
            }
        }

        var records = new List<StoredRecord>(rows.Count);
        try
        {
            foreach (var (id, row) in rows)
            {
                var floor = Floor(table, id);
                records.Add(OpenRecord(table, id, row, floor <= horizon ? floor : 0));
            }
        }
        catch
        {
            records.ForEach(r => r.Dispose());
            throw;
        }

        return records;
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string table, string id, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        Names.Table(table);
        Names.Id(id, nameof(id));
        return MutateAsync(
            async mutation =>
            {
                var row = await ReadRecordRowAsync(mutation.Connection, mutation.Transaction, table, id, mutation.CancellationToken).ConfigureAwait(false);
                if (row is not { } old)
                {
                    if (expectedVersion is { } expected && expected != IKeyStore.Absent)
                    {
                        throw new StorageConflictException(table, id, expected, IKeyStore.Absent);
                    }

                    mutation.Unchanged = true;
                    return false;
                }

                Authenticate(table, id, old);
                if (expectedVersion is { } wanted && wanted != old.Version)
                {
                    throw new StorageConflictException(table, id, wanted, old.Version);
                }

                await mutation.ExecuteAsync("DELETE FROM threshold_records WHERE tbl = @tbl AND id = @id", ("tbl", table), ("id", id)).ConfigureAwait(false);
                mutation.Inventory = mutation.Inventory.Subtract(RecordTag(table, id, old.Owner, old.Version, old.Sealed));
                mutation.Deleted = true;
                var version = mutation.Version;
                mutation.OnCommit = () => RaiseFloor(table, id, version); // any later legitimate row is newer than this
                return true;
            },
            cancellationToken);
    }

    private static async Task<RecordRow?> ReadRecordRowAsync(DbConnection connection, DbTransaction? transaction, string table, string id, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT owner, version, sealed FROM threshold_records WHERE tbl = @tbl AND id = @id", ("tbl", table), ("id", id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new RecordRow(reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
    }

    /// <summary>Opens a row read outside a mutation: it must open under its place and not be older than <paramref name="floor"/>.</summary>
    private StoredRecord OpenRecord(string table, string id, RecordRow row, long floor)
    {
        var payload = sealer.Open(new RecordBinding(SealedKind.Record, table, id, row.Owner, row.Version), row.Sealed);
        if (row.Version < floor)
        {
            CryptographicOperations.ZeroMemory(payload);
            throw new StorageIntegrityException(IntegrityFailure.RolledBack, table, id);
        }

        RaiseFloor(table, id, row.Version);
        return new StoredRecord(table, id, row.Owner, row.Version, payload);
    }

    /// <summary>Checks a row about to be replaced or deleted: it must open, and not be older than what this store has seen.</summary>
    private void Authenticate(string table, string id, RecordRow row)
    {
        var payload = sealer.Open(new RecordBinding(SealedKind.Record, table, id, row.Owner, row.Version), row.Sealed);
        CryptographicOperations.ZeroMemory(payload);
        if (row.Version < Floor(table, id))
        {
            throw new StorageIntegrityException(IntegrityFailure.RolledBack, table, id);
        }
    }

    private long Floor(string table, string id) => recordFloors.GetValueOrDefault((table, id));

    private void RaiseFloor(string table, string id, long version) =>
        recordFloors.AddOrUpdate((table, id), version, (_, current) => Math.Max(current, version));

    private Inventory RecordTag(string table, string id, string owner, long version, byte[] sealedValue) =>
        Tag(new CanonicalWriter("threshold.storage.inventory.record.v1").String(table).String(id).String(owner).Int64(version).Bytes(sealedValue));

    private Inventory QueueTag(string table, string partition, long sequence, byte[] sealedValue) =>
        Tag(new CanonicalWriter("threshold.storage.inventory.queue.v1").String(table).String(partition).Int64(sequence).Bytes(sealedValue));

    private Inventory Tag(CanonicalWriter element)
    {
        Span<byte> tag = stackalloc byte[Inventory.Size];
        sealer.ComputeTag(element.ToArray(), tag);
        return Inventory.FromBytes(tag);
    }

    /// <summary>A record row as stored: owner, version, sealed value.</summary>
    private readonly record struct RecordRow(string Owner, long Version, byte[] Sealed);
}
