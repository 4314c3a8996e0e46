using System.Globalization;
using System.Security.Cryptography;
using Threshold.Storage.Internal;
using Threshold.Storage.Sealing;

namespace Threshold.Storage;

public abstract partial class SealedKeyStore
{
    /// <inheritdoc />
    public Task EnqueueAsync(string table, string partition, IReadOnlyList<ReadOnlyMemory<byte>> payloads, CancellationToken cancellationToken = default)
    {
        Names.Table(table);
        Names.Id(partition, nameof(partition));
        ArgumentNullException.ThrowIfNull(payloads);
        if (payloads.Count == 0)
        {
            throw new ArgumentException("nothing to enqueue", nameof(payloads));
        }

        foreach (var payload in payloads)
        {
            Names.Payload(payload, nameof(payloads));
        }

        return MutateAsync(
            async mutation =>
            {
                foreach (var payload in payloads)
                {
                    var sequence = mutation.NextItem;
                    mutation.NextItem = sequence + 1;
                    var sealedValue = sealer.Seal(new RecordBinding(SealedKind.QueueItem, table, partition, "", sequence), payload.Span);
                    await mutation.ExecuteAsync(
                        "INSERT INTO threshold_queue (tbl, part, seq, sealed) VALUES (@tbl, @part, @seq, @sealed)",
                        ("tbl", table), ("part", partition), ("seq", sequence), ("sealed", sealedValue)).ConfigureAwait(false);
                    mutation.Inventory = mutation.Inventory.Add(QueueTag(table, partition, sequence, sealedValue));
                }

                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<QueueItem?> TakeAsync(string table, string partition, CancellationToken cancellationToken = default)
    {
        Names.Table(table);
        Names.Id(partition, nameof(partition));
        return MutateAsync(
            async mutation =>
            {
                long sequence;
                byte[] sealedValue;
                await using (var command = mutation.Command("SELECT seq, sealed FROM threshold_queue WHERE tbl = @tbl AND part = @part ORDER BY seq LIMIT 1", ("tbl", table), ("part", partition)))
                await using (var reader = await command.ExecuteReaderAsync(mutation.CancellationToken).ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(mutation.CancellationToken).ConfigureAwait(false))
                    {
                        mutation.Unchanged = true;
                        return null;
                    }

                    sequence = reader.GetInt64(0);
                    sealedValue = reader.GetFieldValue<byte[]>(1);
                }

                var reported = string.Create(CultureInfo.InvariantCulture, $"{partition}#{sequence}");
                if (sequence < queueCursors.GetValueOrDefault((table, partition), defaultCursor))
                {
                    // Below the cursor: taken before (or never enqueued here). A replayed presignature must never be used.
                    throw new StorageIntegrityException(IntegrityFailure.Replayed, table, reported);
                }

                var payload = sealer.Open(new RecordBinding(SealedKind.QueueItem, table, partition, "", sequence), sealedValue);
                try
                {
                    var deleted = await mutation.ExecuteAsync(
                        "DELETE FROM threshold_queue WHERE tbl = @tbl AND part = @part AND seq = @seq",
                        ("tbl", table), ("part", partition), ("seq", sequence)).ConfigureAwait(false);
                    if (deleted != 1)
                    {
                        throw new StorageIntegrityException(IntegrityFailure.InventoryMismatch, table, reported);
                    }
                }
                catch
                {
                    CryptographicOperations.ZeroMemory(payload);
                    throw;
                }

                mutation.Inventory = mutation.Inventory.Subtract(QueueTag(table, partition, sequence, sealedValue));
                mutation.Deleted = true;
                mutation.OnCommit = () => queueCursors[(table, partition)] = sequence + 1;
                return (QueueItem?)new QueueItem(table, partition, sequence, payload);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<long> CountAsync(string table, string partition, CancellationToken cancellationToken = default)
    {
        Names.Table(table);
        Names.Id(partition, nameof(partition));
        ObjectDisposedException.ThrowIf(disposed, this);
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, "SELECT COUNT(*) FROM threshold_queue WHERE tbl = @tbl AND part = @part", ("tbl", table), ("part", partition));
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}
