using System.Data.Common;
using Threshold.Storage.Internal;

namespace Threshold.Storage;

public abstract partial class SealedKeyStore
{
    /// <inheritdoc />
    public async Task VerifyAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await ResolvePendingAsync(connection, cancellationToken).ConfigureAwait(false);
            await CheckStateAsync(connection, null, "SELECT version, sealed FROM threshold_state WHERE id = 1", cancellationToken).ConfigureAwait(false);
            var inventory = await SumRecordsAsync(connection, cancellationToken).ConfigureAwait(false);
            inventory = inventory.Add(await SumQueueAsync(connection, cancellationToken).ConfigureAwait(false));
            if (!inventory.Equals(committed.Inventory))
            {
                // Which row differs cannot be told from a sum; the database as a whole is not what this node wrote.
                throw new StorageIntegrityException(IntegrityFailure.InventoryMismatch, "records+queues", "*");
            }

            await VerifyChainCoreAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writeGate.Release();
        }
    }

    private async Task<Inventory> SumRecordsAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var sum = Inventory.Empty;
        await using var command = Command(connection, null, "SELECT tbl, id, owner, version, sealed FROM threshold_records");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sum = sum.Add(RecordTag(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetFieldValue<byte[]>(4)));
        }

        return sum;
    }

    private async Task<Inventory> SumQueueAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var sum = Inventory.Empty;
        await using var command = Command(connection, null, "SELECT tbl, part, seq, sealed FROM threshold_queue");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sum = sum.Add(QueueTag(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<byte[]>(3)));
        }

        return sum;
    }
}
