using System.Collections.Concurrent;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Curves;

namespace Threshold.Node.Storage;

/// <summary>A key's public facts: its id, owner, curve, public key and creation time.</summary>
/// <param name="KeyId">The key's id (random, chosen by the aggregator at generation).</param>
/// <param name="Owner">The user it belongs to.</param>
/// <param name="Curve">secp256k1 or P-256.</param>
/// <param name="PublicKey">The group public key.</param>
/// <param name="Created">When key generation completed.</param>
public sealed record KeyRecord(string KeyId, string Owner, Curve Curve, Point PublicKey, DateTimeOffset Created);

/// <summary>
/// What a node keeps about keys: its share, its aux info and the presignature pool. Implementations
/// store the encodings of <see cref="StateCodec"/> sealed; a presignature is removed from storage before
/// it is handed out, so it can be used at most once even across restarts.
/// </summary>
public interface INodeVault
{
    /// <summary>Stores a new key's share (refuses an existing id).</summary>
    Task SaveKeyAsync(KeyRecord record, KeyShare share, CancellationToken cancellationToken);

    /// <summary>Stores (or replaces, after a refresh) the aux info of a key.</summary>
    Task SaveAuxInfoAsync(string keyId, AuxInfo aux, CancellationToken cancellationToken);

    /// <summary>The key's public facts, or null when unknown (cheap: no secret is decoded).</summary>
    Task<KeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>The key with its secret share and aux info, or null when unknown.</summary>
    Task<(KeyRecord Record, KeyShare Share, AuxInfo? Aux)?> LoadKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Adds a presignature to the key's pool.</summary>
    Task AddPresignatureAsync(string keyId, Presignature presignature, CancellationToken cancellationToken);

    /// <summary>Removes the presignature with this id from the pool and returns it; null when absent.</summary>
    Task<Presignature?> TakePresignatureAsync(string keyId, byte[] presignatureId, CancellationToken cancellationToken);

    /// <summary>How many presignatures the key's pool holds.</summary>
    Task<int> CountPresignaturesAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Appends an audit event for <paramref name="owner"/>.</summary>
    Task AuditAsync(string owner, string kind, string outcome, string detail, CancellationToken cancellationToken);

    /// <summary>
    /// Records, durably, that this node takes part in protocol session <paramref name="sessionId"/>;
    /// false when it already did (the id is never reused). Records are kept until <paramref name="until"/>.
    /// </summary>
    Task<bool> ClaimSessionAsync(byte[] sessionId, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Forgets session claims kept until before <paramref name="now"/>; returns how many.</summary>
    Task<int> ForgetSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>An in-process vault holding the same encodings a persistent one stores (tests, the embedded demo).</summary>
public sealed class InMemoryNodeVault : INodeVault
{
    private readonly ConcurrentDictionary<string, (KeyRecord Record, byte[] Share)> keys = new();
    private readonly ConcurrentDictionary<string, byte[]> aux = new();
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte[]>> presignatures = new();
    private readonly ConcurrentQueue<(DateTimeOffset Time, string Owner, string Kind, string Outcome, string Detail)> audit = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> sessions = new();

    /// <summary>The audit events so far, oldest first.</summary>
    public IReadOnlyList<(DateTimeOffset Time, string Owner, string Kind, string Outcome, string Detail)> Audit => [.. audit];

    /// <inheritdoc />
    public Task SaveKeyAsync(KeyRecord record, KeyShare share, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return keys.TryAdd(record.KeyId, (record, StateCodec.Encode(share)))
            ? Task.CompletedTask
            : throw new InvalidOperationException($"key {record.KeyId} already exists");
    }

    /// <inheritdoc />
    public Task SaveAuxInfoAsync(string keyId, AuxInfo value, CancellationToken cancellationToken)
    {
        aux[keyId] = StateCodec.Encode(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<KeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken) =>
        Task.FromResult(keys.TryGetValue(keyId, out var key) ? key.Record : null);

    /// <inheritdoc />
    public Task<(KeyRecord Record, KeyShare Share, AuxInfo? Aux)?> LoadKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        if (!keys.TryGetValue(keyId, out var key))
        {
            return Task.FromResult<(KeyRecord, KeyShare, AuxInfo?)?>(null);
        }

        var auxInfo = aux.TryGetValue(keyId, out var encoded) ? StateCodec.DecodeAuxInfo(encoded) : null;
        return Task.FromResult<(KeyRecord, KeyShare, AuxInfo?)?>((key.Record, StateCodec.DecodeKeyShare(key.Share), auxInfo));
    }

    /// <inheritdoc />
    public Task AddPresignatureAsync(string keyId, Presignature presignature, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presignature);
        presignatures.GetOrAdd(keyId, _ => new())[Convert.ToHexStringLower(presignature.Id)] = StateCodec.Encode(presignature);
        presignature.Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<Presignature?> TakePresignatureAsync(string keyId, byte[] presignatureId, CancellationToken cancellationToken)
    {
        var pool = presignatures.GetOrAdd(keyId, _ => new());
        return Task.FromResult(pool.TryRemove(Convert.ToHexStringLower(presignatureId), out var encoded) ? StateCodec.DecodePresignature(encoded) : null);
    }

    /// <inheritdoc />
    public Task<int> CountPresignaturesAsync(string keyId, CancellationToken cancellationToken) =>
        Task.FromResult(presignatures.TryGetValue(keyId, out var pool) ? pool.Count : 0);

    /// <inheritdoc />
    public Task AuditAsync(string owner, string kind, string outcome, string detail, CancellationToken cancellationToken)
    {
        audit.Enqueue((DateTimeOffset.UtcNow, owner, kind, outcome, detail));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> ClaimSessionAsync(byte[] sessionId, DateTimeOffset until, CancellationToken cancellationToken) =>
        Task.FromResult(sessions.TryAdd(Convert.ToHexStringLower(sessionId), until));

    /// <inheritdoc />
    public Task<int> ForgetSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var forgotten = 0;
        foreach (var (id, until) in sessions)
        {
            if (until < now && sessions.TryRemove(id, out _))
            {
                forgotten++;
            }
        }

        return Task.FromResult(forgotten);
    }
}
