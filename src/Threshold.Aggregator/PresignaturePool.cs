using System.Collections.Concurrent;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator;

/// <summary>
/// The aggregator's view of each key's presignatures: their public parts, by signer set. The secret
/// parts stay with the nodes; an entry here is only a pointer that one signing uses up.
/// </summary>
public sealed class PresignaturePool
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<PresignatureInfo>> pools = new();

    /// <summary>Adds a presignature of <paramref name="keyId"/>.</summary>
    public void Add(string keyId, PresignatureInfo info) => Queue(keyId).Enqueue(info);

    /// <summary>How many presignatures <paramref name="keyId"/> has whose signers are all in <paramref name="available"/>.</summary>
    public int Count(string keyId, IReadOnlyCollection<int>? available = null) =>
        Queue(keyId).Count(p => available is null || p.Signers.All(s => available.Contains((int)s)));

    /// <summary>Takes a presignature whose signers are all in <paramref name="available"/>, or null.</summary>
    public PresignatureInfo? Take(string keyId, IReadOnlyCollection<int> available)
    {
        var queue = Queue(keyId);
        var kept = new List<PresignatureInfo>();
        PresignatureInfo? taken = null;
        while (taken is null && queue.TryDequeue(out var candidate))
        {
            if (candidate.Signers.All(s => available.Contains((int)s)))
            {
                taken = candidate;
            }
            else
            {
                kept.Add(candidate);
            }
        }

        foreach (var k in kept)
        {
            queue.Enqueue(k);
        }

        return taken;
    }

    private ConcurrentQueue<PresignatureInfo> Queue(string keyId) => pools.GetOrAdd(keyId, _ => new());
}
