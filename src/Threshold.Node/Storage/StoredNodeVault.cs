using Google.Protobuf;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Storage;

namespace Threshold.Node.Storage;

/// <summary>
/// The node's vault on a sealed <see cref="IKeyStore"/> (SQLite or PostgreSQL): key shares, aux info and
/// presignatures are sealed records bound to their table, id, owner and version; a presignature record is
/// deleted (with version check, so one taker wins) before it is decoded and used. Decoded key material is
/// cached in memory, which holds it anyway while the node serves.
/// </summary>
public sealed class StoredNodeVault(IKeyStore store) : INodeVault
{
    private const string Keys = "keys";
    private const string Aux = "aux";
    private const string Presignatures = "presignatures";
    private const string Sessions = "sessions";
    private const string SessionOwner = "protocol-sessions";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, AuxInfo> auxCache = new();

    /// <summary>The underlying store (for its state version and audit log).</summary>
    public IKeyStore Store => store;

    /// <inheritdoc />
    public async Task SaveKeyAsync(KeyRecord record, KeyShare share, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var payload = new Wire.StoredKey
        {
            KeyId = record.KeyId,
            Owner = record.Owner,
            Curve = record.Curve.Name,
            PublicKey = ByteString.CopyFrom(record.PublicKey.Encode()),
            CreatedUnixMs = record.Created.ToUnixTimeMilliseconds(),
            Share = ByteString.CopyFrom(StateCodec.Encode(share)),
        }.ToByteArray();
        try
        {
            await store.PutAsync(Keys, record.KeyId, record.Owner, payload, IKeyStore.Absent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(payload);
        }
    }

    /// <inheritdoc />
    public async Task SaveAuxInfoAsync(string keyId, AuxInfo aux, CancellationToken cancellationToken)
    {
        var key = await FindKeyAsync(keyId, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("aux info for an unknown key");
        var payload = StateCodec.Encode(aux);
        try
        {
            using var existing = await store.GetAsync(Aux, keyId, cancellationToken).ConfigureAwait(false);
            await store.PutAsync(Aux, keyId, key.Owner, payload, existing?.Version ?? IKeyStore.Absent, cancellationToken).ConfigureAwait(false);
            auxCache.TryRemove(keyId, out _);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(payload);
        }
    }

    /// <inheritdoc />
    public async Task<KeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        using var stored = await store.GetAsync(Keys, keyId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        var m = Wire.StoredKey.Parser.ParseFrom(stored.Payload);
        var curve = Curve.FromName(m.Curve);
        return new KeyRecord(m.KeyId, m.Owner, curve, Point.Decode(curve, m.PublicKey.Span), DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedUnixMs));
    }

    /// <inheritdoc />
    public async Task<(KeyRecord Record, KeyShare Share, AuxInfo? Aux)?> LoadKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        using var stored = await store.GetAsync(Keys, keyId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        var m = Wire.StoredKey.Parser.ParseFrom(stored.Payload);
        var curve = Curve.FromName(m.Curve);
        var record = new KeyRecord(m.KeyId, m.Owner, curve, Point.Decode(curve, m.PublicKey.Span), DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedUnixMs));
        var share = StateCodec.DecodeKeyShare(m.Share.Span);
        if (!auxCache.TryGetValue(keyId, out var aux))
        {
            using var auxRecord = await store.GetAsync(Aux, keyId, cancellationToken).ConfigureAwait(false);
            if (auxRecord is not null)
            {
                aux = auxCache.GetOrAdd(keyId, StateCodec.DecodeAuxInfo(auxRecord.Payload));
            }
        }

        return (record, share, aux);
    }

    /// <inheritdoc />
    public async Task AddPresignatureAsync(string keyId, Presignature presignature, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presignature);
        var payload = StateCodec.Encode(presignature);
        try
        {
            await store.PutAsync(Presignatures, Id(keyId, presignature.Id), keyId, payload, IKeyStore.Absent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(payload);
            presignature.Dispose();
        }
    }

    /// <inheritdoc />
    public async Task<Presignature?> TakePresignatureAsync(string keyId, byte[] presignatureId, CancellationToken cancellationToken)
    {
        var id = Id(keyId, presignatureId);
        using var stored = await store.GetAsync(Presignatures, id, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.Owner != keyId)
        {
            return null;
        }

        var payload = stored.PayloadCopy();
        try
        {
            // Deleted first, guarded by its version: of two concurrent takers only one gets it.
            if (!await store.DeleteAsync(Presignatures, id, stored.Version, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return StateCodec.DecodePresignature(payload);
        }
        catch (StorageConflictException)
        {
            return null;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(payload);
        }
    }

    /// <inheritdoc />
    public async Task<int> CountPresignaturesAsync(string keyId, CancellationToken cancellationToken)
    {
        var records = await store.ListByOwnerAsync(Presignatures, keyId, cancellationToken).ConfigureAwait(false);
        foreach (var r in records)
        {
            r.Dispose();
        }

        return records.Count;
    }

    /// <inheritdoc />
    public Task AuditAsync(string owner, string kind, string outcome, string detail, CancellationToken cancellationToken) =>
        store.AppendAuditAsync(owner, kind, outcome switch
        {
            "ok" => AuditOutcome.Succeeded,
            "started" => AuditOutcome.Started,
            _ => AuditOutcome.Failed,
        }, string.IsNullOrEmpty(detail) ? outcome : $"{outcome}: {detail}", cancellationToken);

    /// <inheritdoc />
    public async Task<bool> ClaimSessionAsync(byte[] sessionId, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var payload = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(payload, until.ToUnixTimeMilliseconds());
        try
        {
            await store.PutAsync(Sessions, Convert.ToHexStringLower(sessionId), SessionOwner, payload, IKeyStore.Absent, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (StorageConflictException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<int> ForgetSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var records = await store.ListByOwnerAsync(Sessions, SessionOwner, cancellationToken).ConfigureAwait(false);
        var forgotten = 0;
        foreach (var r in records)
        {
            using (r)
            {
                var until = DateTimeOffset.FromUnixTimeMilliseconds(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(r.Payload));
                if (until < now && await store.DeleteAsync(Sessions, r.Id, r.Version, cancellationToken).ConfigureAwait(false))
                {
                    forgotten++;
                }
            }
        }

        return forgotten;
    }

    private static string Id(string keyId, byte[] presignatureId) => $"{keyId}.{Convert.ToHexStringLower(presignatureId)}";
}
