using System.Collections.Concurrent;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator;

/// <summary>
/// Which t nodes presign together: nodes under no suspicion first, then by party index. A node named
/// as a culprit (with evidence) stays suspect until the aggregator restarts; one that did not answer
/// or refused stays suspect until it next completes a run. Suspects are avoided, not banned: when too
/// few others are left they are still asked, so a wrongly suspected node costs nothing but order.
/// </summary>
internal sealed class SignerSelection(int threshold)
{
    // party → whether it was proven to cheat (sticky) rather than merely absent
    private readonly ConcurrentDictionary<int, bool> suspects = new();

    /// <summary>The t parties to ask among <paramref name="candidates"/>.</summary>
    public List<int> Choose(IEnumerable<int> candidates) =>
        [.. candidates.Distinct().OrderBy(suspects.ContainsKey).ThenBy(p => p).Take(threshold)];

    /// <summary>The candidates under no suspicion.</summary>
    public HashSet<int> Trusted(IEnumerable<int> candidates) => [.. candidates.Where(p => !suspects.ContainsKey(p))];

    /// <summary>
    /// Learns from a finished run: returns the parties that made it fail (culprits, unresponsive,
    /// refusing) and marks them suspect; clears the absence of those that completed.
    /// </summary>
    public HashSet<int> Record(ProtocolOutcome outcome, IReadOnlyDictionary<string, int> partyOf)
    {
        var culprits = outcome.Culprits.Select(c => partyOf.TryGetValue(c.NodeId, out var p) ? p : (int)c.Party).ToHashSet();
        var absent = outcome.Unresponsive.Concat(outcome.Refusing).Where(partyOf.ContainsKey).Select(n => partyOf[n]).ToHashSet();
        foreach (var party in culprits)
        {
            suspects[party] = true;
        }

        foreach (var party in absent.Except(culprits))
        {
            suspects.AddOrUpdate(party, false, (_, proven) => proven);
        }

        foreach (var (party, step) in outcome.Steps)
        {
            if (step.Status == ProtocolStatus.Completed && suspects.TryGetValue(party, out var proven) && !proven)
            {
                suspects.TryRemove(party, out _);
            }
        }

        return [.. culprits, .. absent];
    }
}
