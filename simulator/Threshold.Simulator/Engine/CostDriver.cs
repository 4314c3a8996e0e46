using Threshold.Simulator.Calibration;
using Threshold.Simulator.Reports;

namespace Threshold.Simulator.Engine;

/// <summary>A message of the cost model: no content, only its round, sender and kind (for the trace).</summary>
internal sealed record SkeletonMessage(int Round, int Sender, string Kind);

/// <summary>
/// One phase in cost-model mode: no cryptography runs. Each party follows the phase's
/// <see cref="PhaseProfile"/>: it starts, sends round 1, and in each round waits for every other party's
/// messages of that round, charging each delivery the calibrated cost and the last one the round's work,
/// then sends the next round. Signing sends σ_i to the combiner (the lowest-numbered signer) alone.
/// </summary>
/// <remarks>
/// Every party is honest here: the cost model knows message sizes and costs, not contents, so Byzantine
/// behaviours need real or fixed mode (the scenario check refuses them).
/// </remarks>
internal sealed class CostDriver(RunContext context, int position, IReadOnlyList<int> participants, PhaseProfile profile, bool signing, Random draws)
    : PhaseDriver(context, position, participants)
{
    private readonly Dictionary<int, int> round = [];
    private readonly Dictionary<(int Party, int Round, int Sender), int> received = [];
    private readonly Dictionary<int, double> finishedAt = [];

    private int M => Participants.Count;

    private int Rounds => profile.Rounds.Count;

    public override void Start()
    {
        foreach (var i in Participants)
        {
            round[i] = 1;
            var done = Context.Occupy(i, profile.StartMs.Draw(M, draws));
            if (!signing)
            {
                SendAt(done, Outgoing(i, 1));
            }
            else if (i == Combiner)
            {
                Context.Clock.At(done, () => Take(i, new SkeletonMessage(1, i, "partial-signature")));
            }
            else
            {
                SendAt(done, [new Packet(Position, i, Combiner, Whole(profile.Rounds[0].DirectBytes), new SkeletonMessage(1, i, "partial-signature"))]);
            }
        }
    }

    public override void Receive(Packet packet) => Take(packet.To, (SkeletonMessage)packet.Payload);

    public override PhaseReport Report(string phase, double startMs)
    {
        var outcome = TimedOut ? PhaseOutcome.TimedOut : PhaseOutcome.Completed;
        var report = BaseReport(phase, startMs, outcome, Rounds, BytesPerRound);
        var waiting = TimedOut
            ? Participants.Where(p => !finishedAt.ContainsKey(p) && !Context.Network.IsDown(p) && (!signing || p == Combiner))
                .Select(p => new WaitingParty(p, round[p], [.. Senders(p).Where(s => Missing(p, s))])).ToList()
            : [];
        return report with
        {
            Waiting = waiting,
            Unreachable = TimedOut ? Unreachable(waiting) : [],
            Note = signing ? $"combiner: node {Combiner}" : null,
        };
    }

    private int Combiner => Participants[0];

    private void Take(int party, SkeletonMessage message)
    {
        if (Finished || finishedAt.ContainsKey(party))
        {
            return;
        }

        var key = (party, message.Round, message.Sender);
        received[key] = received.GetValueOrDefault(key) + 1;
        var cost = 0.0;
        var next = new List<Packet>();
        var r = profile.Rounds[message.Round - 1];
        if (message.Round != round[party] || !RoundComplete(party))
        {
            cost += r.ReceiveMs.Draw(M, draws);
        }

        // A delivery may complete this round and, with later messages already buffered, the next ones too.
        while (round[party] <= Rounds && RoundComplete(party))
        {
            cost += profile.Rounds[round[party] - 1].CompleteMs.Draw(M, draws);
            round[party]++;
            if (round[party] <= Rounds)
            {
                next.AddRange(Outgoing(party, round[party]));
            }
        }

        var done = Context.Occupy(party, cost);
        SendAt(done, next);
        if (round[party] > Rounds)
        {
            finishedAt[party] = done;
            var needed = signing ? [Combiner] : Participants;
            if (needed.All(finishedAt.ContainsKey))
            {
                Finished = true;
                EndMs = needed.Max(p => finishedAt[p]);
            }
        }
    }

    /// <summary>Whether <paramref name="party"/> holds every message of its current round.</summary>
    private bool RoundComplete(int party) => Senders(party).All(s => !Missing(party, s));

    private bool Missing(int party, int sender) => received.GetValueOrDefault((party, round[party], sender)) < PerSender(round[party]);

    /// <summary>Whom <paramref name="party"/> hears from: every other participant, or (signing) the combiner hears every signer, itself included.</summary>
    private IEnumerable<int> Senders(int party) => signing ? (party == Combiner ? Participants : []) : Participants.Where(p => p != party);

    /// <summary>Messages one party receives from one other in round <paramref name="k"/>.</summary>
    private int PerSender(int k) => signing ? 1 : Whole(profile.Rounds[k - 1].Broadcasts) + Whole(profile.Rounds[k - 1].Directs);

    private List<Packet> Outgoing(int from, int k)
    {
        var r = profile.Rounds[k - 1];
        var packets = new List<Packet>();
        foreach (var to in Participants.Where(p => p != from))
        {
            for (var b = 0; b < Whole(r.Broadcasts); b++)
            {
                packets.Add(new Packet(Position, from, to, Whole(r.BroadcastBytes), new SkeletonMessage(k, from, "broadcast")));
            }

            for (var d = 0; d < Whole(r.Directs); d++)
            {
                packets.Add(new Packet(Position, from, to, Whole(r.DirectBytes), new SkeletonMessage(k, from, "direct")));
            }
        }

        return packets;
    }

    /// <summary>Per round, the bytes a party produced: a broadcast once, a direct message once per recipient.</summary>
    private IReadOnlyList<long> BytesPerRound(int party)
    {
        if (signing)
        {
            return [party == Combiner ? 0 : Whole(profile.Rounds[0].DirectBytes)];
        }

        return [.. profile.Rounds.Select(r => ((long)Whole(r.Broadcasts) * Whole(r.BroadcastBytes)) + ((long)Whole(r.Directs) * (M - 1) * Whole(r.DirectBytes)))];
    }

    /// <summary>A count or a size at this phase's party count.</summary>
    private int Whole(LinearFit fit) => (int)Math.Round(fit.At(M), MidpointRounding.AwayFromZero);
}
