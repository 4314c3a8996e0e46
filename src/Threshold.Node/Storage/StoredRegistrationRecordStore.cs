using Google.Protobuf;
using Threshold.Opaque;
using Threshold.Opaque.Cluster;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Server;
using Threshold.Storage;

namespace Threshold.Node.Storage;

/// <summary>
/// Registered users in the node's sealed store: one record per user (seed, OPAQUE record, sealed export
/// share), and a tombstone per user id ever registered, so an id is never reused even after removal.
/// The OPAQUE server's interface is synchronous; the store is local, so its calls complete promptly.
/// </summary>
public sealed class StoredRegistrationRecordStore(IKeyStore store, OpaqueSuite suite) : IRegistrationRecordStore
{
    private const string Users = "users";
    private const string UsedIds = "user-ids";

    /// <inheritdoc />
    public bool TryAdd(StoredCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var id = credential.UserId.ToString();
        if (WasEverUsed(credential.UserId))
        {
            return false;
        }

        var payload = new Wire.StoredUser
        {
            UserSeed = ByteString.CopyFrom(credential.UserSeed.Span),
            Record = ByteString.CopyFrom(credential.Record.Serialize()),
            SealedExportShare = ByteString.CopyFrom(credential.SealedExportShare),
        }.ToByteArray();
        try
        {
            Wait(store.PutAsync(UsedIds, id, id, "used"u8.ToArray(), IKeyStore.Absent));
            Wait(store.PutAsync(Users, id, id, payload, IKeyStore.Absent));
            return true;
        }
        catch (StorageConflictException)
        {
            return false;
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(payload);
        }
    }

    /// <inheritdoc />
    public StoredCredential? Find(UserId userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        using var stored = Wait(store.GetAsync(Users, userId.ToString()));
        if (stored is null)
        {
            return null;
        }

        var m = Wire.StoredUser.Parser.ParseFrom(stored.Payload);
        return new StoredCredential(userId, new SecretBytes(m.UserSeed.Span), RegistrationRecord.Deserialize(suite, m.Record.Span), m.SealedExportShare.ToByteArray());
    }

    /// <inheritdoc />
    public bool WasEverUsed(UserId userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        using var used = Wait(store.GetAsync(UsedIds, userId.ToString()));
        return used is not null;
    }

    /// <inheritdoc />
    public bool Remove(UserId userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return Wait(store.DeleteAsync(Users, userId.ToString()));
    }

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
}
