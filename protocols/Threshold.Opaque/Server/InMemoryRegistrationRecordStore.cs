// An in-memory IRegistrationRecordStore for tests, benchmarks and the embedded demo.
using Threshold.Opaque.Cluster;

namespace Threshold.Opaque.Server;

/// <summary>Keeps credentials in a dictionary under a lock, with tombstones for removed ids.</summary>
public sealed class InMemoryRegistrationRecordStore : IRegistrationRecordStore, IDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<UserId, StoredCredential> credentials = [];
    private readonly HashSet<UserId> everUsed = [];

    /// <summary>How many users are registered now.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return credentials.Count;
            }
        }
    }

    /// <inheritdoc />
    public bool TryAdd(StoredCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        lock (gate)
        {
            if (!everUsed.Add(credential.UserId))
            {
                return false;
            }

            credentials.Add(credential.UserId, credential);
            return true;
        }
    }

    /// <inheritdoc />
    public StoredCredential? Find(UserId userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        lock (gate)
        {
            return credentials.GetValueOrDefault(userId);
        }
    }

    /// <inheritdoc />
    public bool WasEverUsed(UserId userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        lock (gate)
        {
            return everUsed.Contains(userId);
        }
    }

    /// <inheritdoc />
    public bool Remove(UserId userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        lock (gate)
        {
            if (!credentials.Remove(userId, out var removed))
            {
                return false;
            }

            removed.Dispose();
            return true;
        }
    }

    /// <summary>Wipes every stored seed.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var credential in credentials.Values)
            {
                credential.Dispose();
            }

            credentials.Clear();
        }
    }
}
