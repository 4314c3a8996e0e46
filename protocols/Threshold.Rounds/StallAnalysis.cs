namespace Threshold.Rounds;

/// <summary>
/// Who holds up a run that neither completed nor aborted, as an honest router of its messages can tell.
/// Two kinds of party are to blame: one whose messages the recipients refused (it signed for another
/// session, a round out of reach, the wrong recipient — a router delivers what it was given, so the
/// fault is the producer's), and one that owes a message of the earliest round anyone still waits in.
/// An honest party reaches round r only after every round-(r − 1) message it needed has arrived, so
/// an honest party that owes a round-r message is itself waiting in an earlier round; the earliest
/// owed messages are therefore owed by parties that withheld them. Waiting lists come from the
/// parties themselves: a dishonest one may claim to wait for a message it received, so the router
/// drops claims about messages it delivered (and the recipient did not refuse).
/// </summary>
public static class StallAnalysis
{
    /// <summary>The parties to hold responsible for a stalled run.</summary>
    /// <param name="awaiting">What each still-running party says it waits for.</param>
    /// <param name="delivered">Whether the router delivered (and the recipient accepted) a round-r message of the sender's to the waiting party: (waiting party, message awaited).</param>
    /// <param name="refusedProducers">Parties whose produced messages a recipient refused.</param>
    public static IReadOnlySet<int> Culprits(
        IReadOnlyDictionary<int, IReadOnlyList<AwaitedMessage>> awaiting,
        Func<int, AwaitedMessage, bool> delivered,
        IEnumerable<int> refusedProducers)
    {
        ArgumentNullException.ThrowIfNull(awaiting);
        ArgumentNullException.ThrowIfNull(delivered);
        ArgumentNullException.ThrowIfNull(refusedProducers);
        var culprits = new HashSet<int>(refusedProducers);
        var owed = awaiting.SelectMany(e => e.Value.Where(m => !delivered(e.Key, m))).ToList();
        if (owed.Count > 0)
        {
            var earliest = owed.Min(m => m.Round);
            culprits.UnionWith(owed.Where(m => m.Round == earliest).Select(m => m.Sender));
        }

        return culprits;
    }
}
