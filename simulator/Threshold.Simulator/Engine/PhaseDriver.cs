using Threshold.Simulator.Reports;

namespace Threshold.Simulator.Engine;

/// <summary>Drives one phase of a run in virtual time: starts its parties, takes their packets, knows when it is over.</summary>
internal abstract class PhaseDriver(RunContext context, int position, IReadOnlyList<int> participants)
{
    protected RunContext Context { get; } = context;

    /// <summary>The phase's position in the run (tags its packets).</summary>
    protected int Position { get; } = position;

    /// <summary>The parties taking part.</summary>
    public IReadOnlyList<int> Participants { get; } = participants;

    /// <summary>Every honest party has finished, or the timeout passed.</summary>
    public bool Finished { get; protected set; }

    /// <summary>Whether the timeout ended the phase.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>When the phase ended (virtual ms).</summary>
    public double EndMs { get; protected set; }

    /// <summary>Messages recipients refused.</summary>
    protected int Refused { get; set; }

    /// <summary>Runs at the phase's start: every party's first step.</summary>
    public abstract void Start();

    /// <summary>A packet of this phase reached its recipient.</summary>
    public abstract void Receive(Packet packet);

    /// <summary>The phase's timeout: ends it if it has not ended.</summary>
    public void TimeOut()
    {
        if (!Finished)
        {
            (Finished, TimedOut, EndMs) = (true, true, Context.Clock.Now);
        }
    }

    /// <summary>What happened, once finished.</summary>
    public abstract PhaseReport Report(string phase, double startMs);

    /// <summary>Sends <paramref name="packets"/> when <paramref name="at"/> comes.</summary>
    protected void SendAt(double at, List<Packet> packets)
    {
        if (packets.Count > 0)
        {
            Context.Clock.At(at, () => packets.ForEach(Context.Transport.Send));
        }
    }

    /// <summary>The report's traffic and timing fields; the caller fills in the rest.</summary>
    protected PhaseReport BaseReport(string phase, double startMs, PhaseOutcome outcome, int rounds, Func<int, IReadOnlyList<long>> bytesPerRound)
    {
        var t = Context.Transport;
        return new PhaseReport(
            phase,
            outcome,
            Round(startMs),
            Round(EndMs),
            Round(EndMs - startMs),
            Participants,
            rounds,
            Participants.Sum(p => t.Messages[p]),
            Participants.Sum(p => t.WireBytes[p]),
            Participants.Sum(p => t.Retransmissions[p]),
            Refused,
            [.. Participants.Select(p => new PartyTraffic(p, bytesPerRound(p), t.Messages[p], t.WireBytes[p], t.Retransmissions[p]))],
            [],
            [],
            [],
            [],
            [],
            null);
    }

    /// <summary>
    /// The nodes a majority of the other still-waiting parties wait for (a node cut off by a partition, a
    /// crashed or silent node), and any node that is down while someone waits for it.
    /// </summary>
    protected List<int> Unreachable(List<WaitingParty> waiting) =>
    [
        .. Participants.Where(s =>
        {
            var others = waiting.Where(w => w.Party != s).ToList();
            var waitedBy = others.Count(w => w.WaitsFor.Contains(s));
            return waitedBy > 0 && (2 * waitedBy > others.Count || Context.Network.IsDown(s));
        }),
    ];

    /// <summary>Report times to the microsecond.</summary>
    protected static double Round(double ms) => Math.Round(ms, 3);
}
