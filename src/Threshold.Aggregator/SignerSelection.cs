using System.Collections.Concurrent;

namespace Threshold.Aggregator;

/// <summary>
/// Which t nodes presign together. Each node carries the number of failed runs it took part in since
/// it last completed one; the fewest go first, then by party index. Counting every participant, not
/// only those named, matters because the aggregator does not judge the evidence behind a culprit (the
/// wallet can): a node that cheats, or that blames whoever it is paired with, piles up failures faster
/// than anyone it drags down, who clear theirs with the next run they complete. Nobody is banned: when
/// too few others are left, anyone is still asked.
/// </summary>
internal sealed class SignerSelection(int threshold)
{
    private readonly ConcurrentDictionary<int, int> failures = new();

    /// <summary>The t parties to ask among <paramref name="candidates"/>.</summary>
    public List<int> Choose(IEnumerable<int> candidates) =>
        [.. candidates.Distinct().OrderBy(Failures).ThenBy(p => p).Take(threshold)];

    /// <summary>The candidates with no failed run since their last completed one.</summary>
    public HashSet<int> Trusted(IEnumerable<int> candidates) => [.. candidates.Where(p => Failures(p) == 0)];

    /// <summary>
    /// Learns from a run of <paramref name="signers"/>: a run that produced its result clears them; a
    /// failed one counts against each. Returns the parties to leave out of a retry: named culprits,
    /// unresponsive, refusing.
    /// </summary>
    public HashSet<int> Record(IReadOnlyCollection<int> signers, ProtocolOutcome outcome, bool succeeded, IReadOnlyDictionary<string, int> partyOf)
    {
        if (succeeded)
        {
            foreach (var party in signers)
            {
                failures.TryRemove(party, out _);
            }
        }
        else
        {
            Fail(signers);
        }

        return succeeded
            ? []
            : [.. outcome.Culprits.Select(c => c.NodeId).Concat(outcome.Unresponsive).Concat(outcome.Refusing).Where(partyOf.ContainsKey).Select(n => partyOf[n])];
    }

    /// <summary>Counts a failure against each of <paramref name="parties"/> (a run, or a signature they spoiled).</summary>
    public void Fail(IEnumerable<int> parties)
    {
        foreach (var party in parties)
        {
            failures.AddOrUpdate(party, 1, (_, n) => n + 1);
        }
    }

    private int Failures(int party) => failures.GetValueOrDefault(party);
}
