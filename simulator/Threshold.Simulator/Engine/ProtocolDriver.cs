using Threshold.Rounds;
using Threshold.Simulator.Reports;

namespace Threshold.Simulator.Engine;

/// <summary>
/// One phase of a round-based protocol: the real <see cref="Party{T}"/> state machines, each created and
/// started at the phase's start, each message delivered when the network brings it. A malicious party's
/// output passes through the <see cref="Adversary.Adversary"/> on its way out, and it sees what it receives,
/// exactly as in the adversarial campaign.
/// </summary>
/// <typeparam name="T">The protocol's result.</typeparam>
/// <remarks>
/// The phase ends when every party that does not misbehave in it has finished: a node malicious in
/// another phase follows this one honestly and is waited for, so its output can be handed on.
/// </remarks>
internal sealed class ProtocolDriver<T>(RunContext context, int position, IReadOnlyList<int> participants, Func<int, Party<T>> create, Adversary.Adversary? adversary, IReadOnlySet<int> acting)
    : PhaseDriver(context, position, participants)
{
    private readonly Dictionary<int, Party<T>> parties = [];
    private readonly Dictionary<int, double> finishedAt = [];

    /// <summary>Every party, once started.</summary>
    public IReadOnlyDictionary<int, Party<T>> Parties => parties;

    /// <summary>Whether every party not misbehaving in this phase completed.</summary>
    public bool Completed => !TimedOut && Following.All(p => parties[p].Status == PartyStatus.Completed);

    /// <summary>The parties that follow the protocol in this phase.</summary>
    private IEnumerable<int> Following => Participants.Where(p => !acting.Contains(p));

    public override void Start()
    {
        foreach (var i in Participants)
        {
            var ((party, messages), cost) = Context.Compute.Run(() =>
            {
                var made = create(i);
                return (made, made.Start());
            });
            parties[i] = party;
            Context.Record(i, Participants.Count, 0, true, cost, messages.Select(Describe));
            Emit(i, messages, Context.Occupy(i, cost));
        }

        CheckFinished();
    }

    public override void Receive(Packet packet)
    {
        var message = (RoundMessage)packet.Payload;
        var party = parties[packet.To];
        if (party.Status != PartyStatus.Running)
        {
            return;
        }

        if (adversary?.IsMalicious(packet.To) == true)
        {
            adversary.Observe(message);
        }

        var round = party.CurrentRound;
        var (messages, cost) = Context.Compute.Run<IReadOnlyList<RoundMessage>>(() =>
        {
            try
            {
                return party.Deliver(message);
            }
            catch (MessageRejectedException)
            {
                Refused++;
                return [];
            }
        });
        Context.Record(packet.To, Participants.Count, message.Round, party.CurrentRound != round || party.Status != PartyStatus.Running, cost, messages.Select(Describe));
        var done = Context.Occupy(packet.To, cost);
        Emit(packet.To, messages, done);
        if (party.Status != PartyStatus.Running)
        {
            finishedAt[packet.To] = done;
            CheckFinished();
        }
    }

    public override PhaseReport Report(string phase, double startMs)
    {
        var outcome = TimedOut ? PhaseOutcome.TimedOut : Completed ? PhaseOutcome.Completed : PhaseOutcome.Aborted;
        var report = BaseReport(phase, startMs, outcome, parties.Values.Select(p => p.Rounds).DefaultIfEmpty().Max(), p => parties[p].BytesSentPerRound);
        var blames = Participants.SelectMany(p => parties[p].Culprits.Select(c => new Blame(p, c.Party, c.Check, Context.IsHonest(p), Context.IsHonest(c.Party))))
            .Distinct().OrderBy(b => b.Accuser).ThenBy(b => b.Accused).ThenBy(b => b.Check, StringComparer.Ordinal).ToList();
        var waiting = TimedOut
            ? Participants.Where(p => parties[p].Status == PartyStatus.Running && !Context.Network.IsDown(p))
                .Select(p => new WaitingParty(p, parties[p].CurrentRound, [.. parties[p].Awaiting.Select(a => a.Sender).Distinct().Order()])).ToList()
            : [];
        return report with
        {
            Blames = blames,
            Culprits = [.. blames.Where(b => b.AccuserHonest).Select(b => b.Accused).Distinct().Order()],
            HonestBlamed = [.. blames.Where(b => b.AccuserHonest && b.AccusedHonest).Select(b => b.Accused).Distinct().Order()],
            Waiting = waiting,
            Unreachable = TimedOut ? Unreachable(waiting) : [],
        };
    }

    /// <summary>Hands a party's output to the network at <paramref name="at"/> (broadcasts to every other participant).</summary>
    private void Emit(int producer, IReadOnlyList<RoundMessage> messages, double at)
    {
        var packets = new List<Packet>();
        foreach (var m in messages)
        {
            var recipients = m.Recipient is { } r ? [r] : Participants.Where(p => p != producer && p != m.Sender).ToList();
            foreach (var recipient in recipients)
            {
                var outgoing = adversary?.IsMalicious(producer) == true ? adversary.Transform(producer, m, recipient) : [(recipient, m)];
                packets.AddRange(outgoing.Where(o => parties.ContainsKey(o.Recipient) || Participants.Contains(o.Recipient))
                    .Select(o => new Packet(Position, producer, o.Recipient, o.Message.EncodedSize, o.Message)));
            }
        }

        SendAt(at, packets);
    }

    private static Emitted Describe(RoundMessage m) => new(m.Round, m.IsBroadcast, m.EncodedSize);

    private void CheckFinished()
    {
        if (!Finished && parties.Count == Participants.Count && Following.All(p => parties[p].Status != PartyStatus.Running))
        {
            Finished = true;
            EndMs = Following.Select(p => finishedAt.GetValueOrDefault(p, Context.Clock.Now)).Max();
        }
    }
}
