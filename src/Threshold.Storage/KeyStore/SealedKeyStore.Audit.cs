using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using Threshold.Storage.Internal;
using Threshold.Storage.Sealing;

namespace Threshold.Storage;

public abstract partial class SealedKeyStore
{
    private const string AuditTable = "audit";

    /// <inheritdoc />
    public Task<AuditEntry> AppendAuditAsync(string owner, string kind, AuditOutcome outcome, string details, CancellationToken cancellationToken = default)
    {
        Names.Id(owner, nameof(owner), allowEmpty: true);
        Names.Kind(kind);
        Names.Details(details);
        if (!Enum.IsDefined(outcome))
        {
            throw new ArgumentOutOfRangeException(nameof(outcome));
        }

        return MutateAsync(
            async mutation =>
            {
                var sequence = mutation.AuditCount + 1;
                var time = DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
                var entry = Chain(sequence, mutation.AuditHead, time, owner, kind, outcome, details);
                var sealedValue = sealer.Seal(new RecordBinding(SealedKind.AuditEntry, "", "", owner, sequence), EncodeAuditBody(entry));
                await mutation.ExecuteAsync(
                    "INSERT INTO threshold_audit (seq, owner, at_ms, sealed) VALUES (@seq, @owner, @at, @sealed)",
                    ("seq", sequence), ("owner", owner), ("at", time.ToUnixTimeMilliseconds()), ("sealed", sealedValue)).ConfigureAwait(false);
                mutation.AuditCount = sequence;
                mutation.AuditHead = entry.Hash.ToArray();
                return entry;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(string owner, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        Names.Id(owner, nameof(owner), allowEmpty: true);
        ObjectDisposedException.ThrowIf(disposed, this);
        var entries = new List<AuditEntry>();
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection, null, "SELECT seq, owner, at_ms, sealed FROM threshold_audit WHERE owner = @owner AND at_ms >= @since ORDER BY seq",
            ("owner", owner), ("since", since.ToUnixTimeMilliseconds()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(OpenAuditRow(reader));
        }

        return entries;
    }

    /// <inheritdoc />
    public async Task<long> VerifyChainAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await ResolvePendingAsync(connection, cancellationToken).ConfigureAwait(false);
            await CheckStateAsync(connection, null, "SELECT version, sealed FROM threshold_state WHERE id = 1", cancellationToken).ConfigureAwait(false);
            return await VerifyChainCoreAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writeGate.Release();
        }
    }

    /// <summary>Walks the log in sequence order under the writer lock, against the head in the committed state.</summary>
    private async Task<long> VerifyChainCoreAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var head = committed;
        var previous = NodeState.GenesisHash;
        long expected = 1;
        await using (var command = Command(connection, null, "SELECT seq, owner, at_ms, sealed FROM threshold_audit ORDER BY seq"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var sequence = reader.GetInt64(0);
                if (sequence != expected || sequence > head.AuditCount)
                {
                    // A gap (entry removed) or an entry beyond the sealed head (inserted).
                    throw new StorageIntegrityException(IntegrityFailure.ChainBroken, AuditTable, Reported(Math.Min(sequence, expected)));
                }

                var entry = OpenAuditRow(reader);
                if (!CryptographicOperations.FixedTimeEquals(entry.PreviousHash.Span, previous))
                {
                    throw new StorageIntegrityException(IntegrityFailure.ChainBroken, AuditTable, Reported(sequence));
                }

                previous = entry.Hash.ToArray();
                expected++;
            }
        }

        if (expected - 1 != head.AuditCount || !CryptographicOperations.FixedTimeEquals(previous, head.AuditHead))
        {
            // Truncated: the last entries are missing.
            throw new StorageIntegrityException(IntegrityFailure.ChainBroken, AuditTable, Reported(expected));
        }

        return head.AuditCount;
    }

    /// <summary>Opens the current row of a (seq, owner, at_ms, sealed) reader; its stored time and owner must be the sealed ones.</summary>
    private AuditEntry OpenAuditRow(DbDataReader reader)
    {
        var sequence = reader.GetInt64(0);
        var owner = reader.GetString(1);
        var storedTime = reader.GetInt64(2);
        var plaintext = sealer.Open(new RecordBinding(SealedKind.AuditEntry, "", "", owner, sequence), reader.GetFieldValue<byte[]>(3));
        try
        {
            var body = new CanonicalReader(plaintext, AuditBodyTag);
            var time = body.Int64();
            var kind = body.String();
            var outcome = (AuditOutcome)body.Byte();
            var details = body.String();
            var previous = body.Bytes().ToArray();
            if (!body.AtEnd || time != storedTime)
            {
                throw new StorageIntegrityException(IntegrityFailure.SealBroken, AuditTable, Reported(sequence));
            }

            return Chain(sequence, previous, DateTimeOffset.FromUnixTimeMilliseconds(time), owner, kind, outcome, details);
        }
        catch (FormatException)
        {
            throw new StorageIntegrityException(IntegrityFailure.SealBroken, AuditTable, Reported(sequence));
        }
    }

    private const string AuditBodyTag = "threshold.storage.audit-entry.v1";

    private static byte[] EncodeAuditBody(AuditEntry entry) =>
        new CanonicalWriter(AuditBodyTag)
            .Int64(entry.Time.ToUnixTimeMilliseconds())
            .String(entry.Kind)
            .Byte((byte)entry.Outcome)
            .String(entry.Details)
            .Bytes(entry.PreviousHash.Span)
            .ToArray();

    /// <summary>Builds an entry with its chained hash.</summary>
    private static AuditEntry Chain(long sequence, byte[] previous, DateTimeOffset time, string owner, string kind, AuditOutcome outcome, string details)
    {
        var hash = SHA256.HashData(
            new CanonicalWriter("threshold.storage.audit-chain.v1")
                .Int64(sequence)
                .Bytes(previous)
                .Int64(time.ToUnixTimeMilliseconds())
                .String(owner)
                .String(kind)
                .Byte((byte)outcome)
                .String(details)
                .ToArray());
        return new AuditEntry(sequence, time, owner, kind, outcome, details, previous, hash);
    }

    private static string Reported(long sequence) => sequence.ToString(CultureInfo.InvariantCulture);
}
