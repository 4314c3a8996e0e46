using System.Security.Cryptography;
using Threshold.Rounds.Signing;

namespace Threshold.Rounds;

/// <summary>Where a party stands.</summary>
public enum PartyStatus
{
    /// <summary>Waiting for messages.</summary>
    Running,
    /// <summary>Finished with a result.</summary>
    Completed,
    /// <summary>Aborted, naming culprits.</summary>
    Aborted,
}

/// <summary>The fixed facts of one party's run: which protocol, which session, who is in it, and its keys.</summary>
/// <param name="Protocol">Protocol name bound into every message, e.g. "threshold.cggmp.keygen".</param>
/// <param name="SessionId">The execution id; messages of other sessions are refused.</param>
/// <param name="Self">This party's index.</param>
/// <param name="Participants">Every participant's index, this party included.</param>
/// <param name="Signer">This party's identity key.</param>
/// <param name="Directory">Every participant's public identity key.</param>
/// <param name="Judge">The protocol's judge of accusations in other parties' complaints (null: none).</param>
/// <param name="ConfirmCompletion">
/// Whether a party that has its result first broadcasts a confirmation (carrying its echo of the last
/// round's broadcasts) and releases the result only when every other party has confirmed too. Without
/// it, a party can complete while another aborts on a fault only it saw (a bad direct message, an
/// equivocated last broadcast); with it, that party's complaint reaches everyone first.
/// </param>
public sealed record PartySession(
    string Protocol,
    byte[] SessionId,
    int Self,
    IReadOnlyList<int> Participants,
    IMessageSigner Signer,
    IPartyDirectory Directory,
    IBlameJudge? Judge = null,
    bool ConfirmCompletion = true);

/// <summary>
/// Runs one party of a round-based protocol, sans I/O: <see cref="Start"/> gives the first messages,
/// <see cref="Deliver"/> takes one message and gives whatever becomes sendable. The engine checks the
/// envelope (session, sender, recipient, signature) before the protocol sees anything, buffers early
/// messages, treats two different signed messages for one slot as equivocation, and implements echo
/// broadcast: every message of round r + 1 carries the digests and signatures of the round-r
/// broadcasts its sender received, and a mismatch proves who equivocated (two signatures by one
/// party on different broadcasts) or who lied about its echo. A party that aborts broadcasts a
/// complaint naming its culprits with their signed evidence; a party receiving one checks the evidence
/// (signatures here, the protocol's checks through its <see cref="IBlameJudge"/>) and aborts too,
/// blaming the accused if the evidence holds and the accuser if it does not.
/// </summary>
/// <typeparam name="TResult">The protocol's output.</typeparam>
public sealed class Party<TResult>
{
    private const int MaxRoundsAhead = 16;

    private readonly PartySession session;
    private readonly IReadOnlyList<int> others;
    private readonly Dictionary<(int Round, int Sender, bool Broadcast), RoundMessage> received = [];
    private readonly Dictionary<int, RoundMessage> sentBroadcasts = [];
    private readonly List<Culprit> conflicts = [];
    private readonly List<long> bytesSent = [];
    private readonly Outgoing firstMessages;
    private Round<TResult>? round;
    private int current = 1;
    private bool started;
    private bool previousHadBroadcast;
    private IReadOnlyList<EchoEntry> echoView = [];
    private bool awaitingConfirmation;
    private TResult? pendingResult;

    /// <summary>Creates the party; <paramref name="firstMessages"/> are sent by <see cref="Start"/> as round 1.</summary>
    public Party(PartySession session, Round<TResult> firstRound, Outgoing firstMessages)
    {
        ArgumentNullException.ThrowIfNull(session);
        this.session = session;
        round = firstRound ?? throw new ArgumentNullException(nameof(firstRound));
        this.firstMessages = firstMessages ?? throw new ArgumentNullException(nameof(firstMessages));
        if (!session.Participants.Contains(session.Self) || session.Participants.Distinct().Count() != session.Participants.Count)
        {
            throw new ArgumentException("participants must be distinct and include this party", nameof(session));
        }

        others = [.. session.Participants.Where(p => p != session.Self).Order()];
    }

    /// <summary>This party's index.</summary>
    public int Index => session.Self;

    /// <summary>Running, completed or aborted.</summary>
    public PartyStatus Status { get; private set; }

    /// <summary>The result once <see cref="Status"/> is <see cref="PartyStatus.Completed"/>.</summary>
    public TResult Result => Status == PartyStatus.Completed ? pendingResult! : throw new InvalidOperationException($"party {Index} has not completed ({Status})");

    /// <summary>The culprits once <see cref="Status"/> is <see cref="PartyStatus.Aborted"/>.</summary>
    public IReadOnlyList<Culprit> Culprits { get; private set; } = [];

    /// <summary>Accusations received in complaints that this party could neither confirm nor refute.</summary>
    public IReadOnlyList<Culprit> UnconfirmedReports { get; private set; } = [];

    /// <summary>Bytes this party sent in each round (index 0 is round 1), counting each message once.</summary>
    public IReadOnlyList<long> BytesSentPerRound => bytesSent;

    /// <summary>Rounds this party has sent messages for.</summary>
    public int Rounds => bytesSent.Count;

    /// <summary>The first round's messages. Call once.</summary>
    public IReadOnlyList<RoundMessage> Start()
    {
        if (started)
        {
            throw new InvalidOperationException("party already started");
        }

        started = true;
        var sent = Send(1, firstMessages, []);
        sent.AddRange(Advance()); // a party alone (n = 1) finishes without any message
        return sent;
    }

    /// <summary>
    /// Takes one message. Returns the messages that became sendable (possibly none).
    /// Messages after completion or abort are ignored.
    /// </summary>
    /// <exception cref="MessageRejectedException">The envelope is not acceptable; nothing changed.</exception>
    public IReadOnlyList<RoundMessage> Deliver(RoundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!started)
        {
            throw new InvalidOperationException("call Start before Deliver");
        }

        if (Status != PartyStatus.Running)
        {
            return [];
        }

        Check(message);
        if (message.IsComplaint)
        {
            return HandleComplaint(message);
        }

        var slot = (message.Round, message.Sender, message.IsBroadcast);
        if (received.TryGetValue(slot, out var earlier))
        {
            if (!earlier.SameContentAs(message))
            {
                conflicts.Add(new Culprit(message.Sender, Checks.Equivocation, $"round {message.Round}: sent two different signed messages for one slot", [earlier, message]));
            }
            else
            {
                return [];
            }
        }
        else
        {
            received[slot] = message;
        }

        return Advance();
    }

    private void Check(RoundMessage m)
    {
        if (m.Protocol != session.Protocol || !m.SessionId.AsSpan().SequenceEqual(session.SessionId))
        {
            throw new MessageRejectedException(RejectionReason.WrongSession, $"expected {session.Protocol} session");
        }

        if (m.Sender == session.Self || !others.Contains(m.Sender))
        {
            throw new MessageRejectedException(RejectionReason.UnknownSender, $"sender {m.Sender} is not another participant");
        }

        if (m.Recipient is { } r && r != session.Self)
        {
            throw new MessageRejectedException(RejectionReason.WrongRecipient, $"addressed to {r}, this is {session.Self}");
        }

        if (m.Round < 1 || m.Round > current + MaxRoundsAhead)
        {
            throw new MessageRejectedException(RejectionReason.RoundOutOfRange, $"round {m.Round} while in round {current}");
        }

        if (!session.Directory.Verify(m.Sender, m.Digest(), m.Signature))
        {
            throw new MessageRejectedException(RejectionReason.BadSignature, $"signature of party {m.Sender} does not verify");
        }
    }

    private List<RoundMessage> Advance()
    {
        var outgoing = new List<RoundMessage>();
        while (Status == PartyStatus.Running)
        {
            if (conflicts.Count > 0)
            {
                outgoing.Add(Abort(conflicts));
                break;
            }

            var expectsBroadcast = awaitingConfirmation || round!.ExpectsBroadcast;
            var expectsDirect = !awaitingConfirmation && round!.ExpectsDirect;
            if (!others.All(j => (!expectsBroadcast || received.ContainsKey((current, j, true))) && (!expectsDirect || received.ContainsKey((current, j, false)))))
            {
                break;
            }

            var inbox = new RoundInbox(
                current,
                session.Self,
                others,
                others.Where(j => received.ContainsKey((current, j, true))).ToDictionary(j => j, j => received[(current, j, true)]),
                others.Where(j => received.ContainsKey((current, j, false))).ToDictionary(j => j, j => received[(current, j, false)]));
            CheckShape(inbox, expectsBroadcast, expectsDirect);
            if (previousHadBroadcast)
            {
                CheckEchoes(inbox, expectsBroadcast);
            }

            if (inbox.HasCulprits)
            {
                outgoing.Add(Abort(inbox.Culprits));
                break;
            }

            if (awaitingConfirmation)
            {
                Status = PartyStatus.Completed;
                break;
            }

            var outcome = round!.Finish(inbox);
            var view = round.ExpectsBroadcast ? EchoView(inbox) : [];
            switch (outcome)
            {
                case RoundOutcome<TResult>.Next next:
                    outgoing.AddRange(Send(current + 1, next.Messages, view));
                    previousHadBroadcast = round.ExpectsBroadcast;
                    round = next.Round;
                    current++;
                    break;
                case RoundOutcome<TResult>.Done done:
                    pendingResult = done.Result;
                    if (session.ConfirmCompletion)
                    {
                        outgoing.AddRange(Send(current + 1, new Outgoing { Broadcast = [] }, view));
                        previousHadBroadcast = round.ExpectsBroadcast;
                        awaitingConfirmation = true;
                        current++;
                    }
                    else
                    {
                        Status = PartyStatus.Completed;
                    }

                    break;
                case RoundOutcome<TResult>.Failed failed:
                    outgoing.Add(Abort(failed.Culprits));
                    break;
                default:
                    throw new InvalidOperationException("unknown round outcome");
            }
        }

        return outgoing;
    }

    private void CheckShape(RoundInbox inbox, bool expectsBroadcast, bool expectsDirect)
    {
        foreach (var j in others)
        {
            if (!expectsBroadcast && received.TryGetValue((current, j, true), out var b))
            {
                inbox.Blame(j, Checks.Malformed, "sent a broadcast in a round without broadcasts", b);
            }

            if (!expectsDirect && received.TryGetValue((current, j, false), out var d))
            {
                inbox.Blame(j, Checks.Malformed, "sent a direct message in a round without direct messages", d);
            }
        }
    }

    /// <summary>
    /// Compares each sender's echo of the previous round's broadcasts with this party's own view.
    /// A different digest carrying a valid signature of the original sender proves that sender
    /// equivocated; an invalid signature proves the echoing party lied.
    /// </summary>
    private void CheckEchoes(RoundInbox inbox, bool broadcastRound)
    {
        var mine = echoView.ToDictionary(e => e.Sender);
        var blamed = new HashSet<int>();
        foreach (var k in others)
        {
            var carrier = broadcastRound ? inbox.BroadcastFrom(k) : inbox.DirectFrom(k);
            var theirs = carrier.Echo.GroupBy(e => e.Sender).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var j in session.Participants.Where(p => p != k))
            {
                if (!theirs.TryGetValue(j, out var entries) || entries.Count != 1)
                {
                    if (blamed.Add(k))
                    {
                        inbox.Blame(k, Checks.FalseEcho, $"echo of round {current - 1} broadcasts is incomplete", carrier);
                    }

                    continue;
                }

                var echoed = entries[0];
                if (!mine.TryGetValue(j, out var own))
                {
                    continue; // this party did not see j broadcast (j is this party and sent none)
                }

                if (CryptographicOperations.FixedTimeEquals(echoed.Digest, own.Digest))
                {
                    continue;
                }

                if (session.Directory.Verify(j, echoed.Digest, echoed.Signature))
                {
                    // A valid signature of j on a different broadcast: j equivocated. (If j is this party,
                    // its key signed something it did not send; k only echoed it, so k is not blamed.)
                    if (j != session.Self && blamed.Add(j))
                    {
                        inbox.Blame(j, Checks.Equivocation, $"equivocated: signed different round-{current - 1} broadcasts for different parties", received[(current - 1, j, true)], carrier);
                    }
                }
                else if (blamed.Add(k))
                {
                    inbox.Blame(k, Checks.FalseEcho, $"echoed a round-{current - 1} broadcast of party {j} that party {j} did not sign", carrier);
                }
            }
        }
    }

    private List<EchoEntry> EchoView(RoundInbox inbox)
    {
        var view = others.Select(j => inbox.BroadcastFrom(j)).Select(m => new EchoEntry(m.Sender, m.Digest(), m.Signature)).ToList();
        if (sentBroadcasts.TryGetValue(current, out var own))
        {
            view.Add(new EchoEntry(own.Sender, own.Digest(), own.Signature));
        }

        echoView = view;
        return view;
    }

    private List<RoundMessage> Send(int number, Outgoing messages, IReadOnlyList<EchoEntry> echo)
    {
        var sent = new List<RoundMessage>();
        if (messages.Broadcast is { } payload)
        {
            var broadcast = Sign(number, null, payload, echo);
            sentBroadcasts[number] = broadcast;
            sent.Add(broadcast);
        }

        foreach (var (recipient, payload2) in messages.Direct.OrderBy(e => e.Key))
        {
            if (!others.Contains(recipient))
            {
                throw new InvalidOperationException($"direct message to non-participant {recipient}");
            }

            sent.Add(Sign(number, recipient, payload2, echo));
        }

        while (bytesSent.Count < number)
        {
            bytesSent.Add(0);
        }

        bytesSent[number - 1] += sent.Sum(m => (long)m.EncodedSize);
        return sent;
    }

    private RoundMessage Sign(int number, int? recipient, byte[] payload, IReadOnlyList<EchoEntry> echo)
    {
        var unsigned = new RoundMessage(session.Protocol, session.SessionId, number, session.Self, recipient, payload, echo, []);
        return unsigned with { Signature = session.Signer.Sign(unsigned.Digest()) };
    }

    /// <summary>Aborts with <paramref name="culprits"/> and returns the complaint to broadcast.</summary>
    private RoundMessage Abort(IEnumerable<Culprit> culprits)
    {
        Culprits = [.. culprits];
        Status = PartyStatus.Aborted;
        var unsigned = new RoundMessage(session.Protocol, session.SessionId, current, session.Self, null, [], [], []) { Complaint = Culprits, IsAbort = true };
        return unsigned with { Signature = session.Signer.Sign(unsigned.Digest()) };
    }

    /// <summary>Judges each accusation of another party's complaint, then aborts (the accuser will not go on).</summary>
    private List<RoundMessage> HandleComplaint(RoundMessage complaint)
    {
        var culprits = new List<Culprit>();
        var unconfirmed = new List<Culprit>();
        foreach (var accusation in complaint.Complaint)
        {
            var signed = accusation.Evidence.Count > 0 && accusation.Evidence.All(e =>
                e.Protocol == session.Protocol
                && e.SessionId.AsSpan().SequenceEqual(session.SessionId)
                && session.Participants.Contains(e.Sender)
                && session.Directory.Verify(e.Sender, e.Digest(), e.Signature));
            var verdict = signed ? JudgeGenerically(accusation) ?? session.Judge?.Confirms(accusation, complaint.Sender) : false;
            switch (verdict)
            {
                case true:
                    culprits.Add(accusation with { Reason = $"reported by party {complaint.Sender}: {accusation.Reason}" });
                    break;
                case false:
                    culprits.Add(new Culprit(complaint.Sender, Checks.FalseAccusation, $"accused party {accusation.Party} ({accusation.Check}) without proof", [complaint]));
                    break;
                default:
                    unconfirmed.Add(accusation);
                    break;
            }
        }

        Culprits = [.. culprits.GroupBy(c => c.Party).Select(g => g.First())];
        UnconfirmedReports = unconfirmed;
        Status = PartyStatus.Aborted;
        return [];
    }

    /// <summary>The framework's own checks: equivocation and false echoes are provable from signatures alone.</summary>
    private bool? JudgeGenerically(Culprit accusation)
    {
        var evidence = accusation.Evidence;
        switch (accusation.Check)
        {
            case Checks.Equivocation when evidence.Count == 2:
                var (first, second) = (evidence[0], evidence[1]);
                if (first.Sender != accusation.Party)
                {
                    return false;
                }

                if (second.Sender == accusation.Party)
                {
                    // Two messages for one slot.
                    return first.Round == second.Round && first.Recipient == second.Recipient && !first.SameContentAs(second);
                }

                // A broadcast and another party's echo of a different one, signed by the accused.
                var echoed = second.Echo.FirstOrDefault(e => e.Sender == accusation.Party);
                return echoed is not null
                    && second.Round == first.Round + 1
                    && first.IsBroadcast
                    && !echoed.Digest.AsSpan().SequenceEqual(first.Digest())
                    && session.Directory.Verify(accusation.Party, echoed.Digest, echoed.Signature);
            case Checks.Equivocation:
                return false;
            case Checks.FalseEcho when evidence.Count == 1 && evidence[0].Sender == accusation.Party:
                var echo = evidence[0].Echo;
                var incomplete = session.Participants.Where(p => p != accusation.Party).Any(p => echo.Count(e => e.Sender == p) != 1);
                return incomplete || echo.Any(e => !session.Directory.Verify(e.Sender, e.Digest, e.Signature));
            case Checks.FalseEcho:
                return false;
            default:
                return null;
        }
    }
}
