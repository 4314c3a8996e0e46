using System.Collections.Concurrent;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator;

/// <summary>
/// The aggregator's view of each key's presignatures: their public parts, by signer set. The secret
/// parts stay with the nodes; an entry here is only a pointer that one signing uses up. Each key's
/// list is searched and changed under its own lock, oldest first, so concurrent signings never see an
/// entry vanish for a moment or take the same one twice.
/// </summary>
public sealed class PresignaturePool
{
    private readonly ConcurrentDictionary<string, List<PresignatureInfo>> pools = new();

    /// <summary>Adds a presignature of <paramref name="keyId"/>.</summary>
    public void Add(string keyId, PresignatureInfo info)
    {
        var list = List(keyId);
        lock (list)
        {
            list.Add(info);
        }
    }

    /// <summary>How many presignatures <paramref name="keyId"/> has whose signers are all in <paramref name="available"/>.</summary>
    public int Count(string keyId, IReadOnlyCollection<int>? available = null)
    {
        var list = List(keyId);
        lock (list)
        {
            return list.Count(p => available is null || Within(p, available));
        }
    }

    /// <summary>Takes the oldest presignature whose signers are all in <paramref name="available"/>, or null.</summary>
    public PresignatureInfo? Take(string keyId, IReadOnlyCollection<int> available)
    {
        var list = List(keyId);
        lock (list)
        {
            var index = list.FindIndex(p => Within(p, available));
            if (index < 0)
            {
                return null;
            }

            var taken = list[index];
            list.RemoveAt(index);
            return taken;
        }
    }

    private static bool Within(PresignatureInfo presignature, IReadOnlyCollection<int> available) =>
        presignature.Signers.All(s => available.Contains((int)s));

    private List<PresignatureInfo> List(string keyId) => pools.GetOrAdd(keyId, _ => []);
}
