// Storage of the per-user OPAQUE material at one node (RFC 9807 §5: "the server stores the record ...
// along with the associated credential_identifier"), plus Threshold's per-user seed and sealed share.
using Threshold.Opaque.Cluster;
using Threshold.Opaque.Messages;

namespace Threshold.Opaque.Server;

/// <summary>
/// What a node keeps per registered user: the user's own <c>user_seed</c> (from which the node derives the
/// user's oprf_seed), the OPAQUE registration record, and the client's sealed export-key share.
/// Owns the seed: disposing wipes it.
/// </summary>
public sealed class StoredCredential : IDisposable
{
    /// <summary>Creates the entry; takes ownership of <paramref name="userSeed"/>.</summary>
    public StoredCredential(UserId userId, SecretBytes userSeed, RegistrationRecord record, byte[] sealedExportShare)
    {
        UserId = userId ?? throw new ArgumentNullException(nameof(userId));
        UserSeed = userSeed ?? throw new ArgumentNullException(nameof(userSeed));
        Record = record ?? throw new ArgumentNullException(nameof(record));
        SealedExportShare = sealedExportShare ?? throw new ArgumentNullException(nameof(sealedExportShare));
    }

    /// <summary>The user.</summary>
    public UserId UserId { get; }

    /// <summary>user_seed: 32 random bytes of this node for this user (Lock-Keeper design notes).</summary>
    public SecretBytes UserSeed { get; }

    /// <summary>The RFC 9807 registration record.</summary>
    public RegistrationRecord Record { get; }

    /// <summary>The client's export-key share, sealed under this node's OPAQUE export_key (opaque here).</summary>
    public byte[] SealedExportShare { get; }

    /// <summary>Wipes the seed.</summary>
    public void Dispose() => UserSeed.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"StoredCredential({UserId}, seed={UserSeed})";
}

/// <summary>
/// A node's store of registered users. Implementations must make <see cref="TryAdd"/> atomic and must
/// remember every user id they ever accepted, so that an id is never registered twice (freshness), even
/// after <see cref="Remove"/>.
/// </summary>
public interface IRegistrationRecordStore
{
    /// <summary>Stores the credential unless its user id was ever used here; false when it was.</summary>
    bool TryAdd(StoredCredential credential);

    /// <summary>The credential of <paramref name="userId"/>, or null when the user is unknown (or removed).</summary>
    StoredCredential? Find(UserId userId);

    /// <summary>Whether <paramref name="userId"/> was ever registered here (removed ones included).</summary>
    bool WasEverUsed(UserId userId);

    /// <summary>Removes and wipes the credential, keeping the id as used; false when there was none.</summary>
    bool Remove(UserId userId);
}
