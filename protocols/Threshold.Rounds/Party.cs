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
    /// <summary>Given up from outside (the run was abandoned); its secrets are wiped.</summary>
    Abandoned,
}

/// <summary>The fixed facts of one party's run: which protocol, which session, who is in it, and its keys.</summary>
/// <param name="Protocol">Protocol name bound into every message, e.g. "threshold.cggmp.keygen".</param>
/// <param name="SessionId">
/// The execution id, bound to the run's whole configuration (<see cref="SessionBinding"/>): parties
/// that disagree on any part of it have different ids, and refuse each other's messages instead of
/// blaming each other. It must never be reused: a party that signed in a session once must not sign
/// in it again.
/// </param>
/// <param name="Self">This party's index.</param>
/// <param name="Participants">Every participant's index, this party included.</param>
/// <param name="Signer">This party's identity key.</param>
/// <param name="Directory">Every participant's public identity key.</param>
/// <param name="Judge">The protocol's judge of accusations and of its rounds' shapes.</param>
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
    IBlameJudge Judge,
    bool ConfirmCompletion = true)
{
    /// <summary>What anyone needs to judge this run's abort notices.</summary>
    public SessionContext Context => new(Protocol, SessionId, Participants, Directory, Judge);
}

/// <summary>A message one party still waits for in its current round.</summary>
/// <param name="Round">The round.</param>
/// <param name="Sender">Who owes it.</param>
/// <param name="Broadcast">A broadcast (true) or a direct message to the waiting party.</param>
public readonly record struct AwaitedMessage(int Round, int Sender, bool Broadcast);

/// <summary>
/// Runs one party of a round-based protocol, sans I/O: <see cref="Start"/> gives the first messages,
/// <see cref="Deliver"/> takes one message and gives whatever becomes sendable. The engine checks the
/// envelope (session, sender, recipient, signature) before the protocol sees anything, buffers early
/// messages, treats two different signed contents for one slot as equivocation, refuses messages of a
/// kind their round does not have, and implements echo broadcast: every message of round r + 1
/// carries, for each round-r broadcast its sender received, the content hash and the original
/// sender's signature, checked against this party's own view. A party that aborts broadcasts an
/// abort notice naming its culprits with their signed evidence; a party receiving one judges it
/// (<see cref="ComplaintJudge"/>: the evidence proves the accusation, or the accuser is blamed),
/// aborts naming whom the judgement names, and relays the notice, so every honest party still
/// running learns of the abort and judges it alike. Every abort thus names at least one party, and an honest party
/// names only parties that misbehaved.
/// </summary>
/// <typeparam name="TResult">The protocol's output.</typeparam>
public sealed class Party<TResult>
{
    private const int MaxRoundsAhead = 16;

    private readonly PartySession session;
    private readonly IReadOnlyList<int> others;
    private readonly PartyHistory history;
    private readonly List<Culprit> conflicts = [];
    private readonly List<long> bytesSent = [];
    private readonly Outgoing firstMessages;
    private Round<TResult>? round;
    private int current = 1;
    private bool started;
    private bool previousHadBroadcast;
    private Dictionary<int, byte[]> echoView = [];
    private bool awaitingConfirmation;
    private TResult? pendingResult;

    /// <summary>Creates the party; <paramref name="firstMessages"/> are sent by <see cref="Start"/> as round 1.</summary>
    public Party(PartySession session, Round<TResult> firstRound, Outgoing firstMessages)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(session.Judge);
        this.session = session;
        round = firstRound ?? throw new ArgumentNullException(nameof(firstRound));
        this.firstMessages = firstMessages ?? throw new ArgumentNullException(nameof(firstMessages));
        if (!session.Participants.Contains(session.Self) || session.Participants.Distinct().Count() != session.Participants.Count)
        {
            throw new ArgumentException("participants must be distinct and include this party", nameof(session));
        }

        others = [.. session.Participants.Where(p => p != session.Self).Order()];
        history = new PartyHistory(session.Self);
    }

    /// <summary>This party's index.</summary>
    public int Index => session.Self;

    /// <summary>What anyone needs to judge this run's abort notices.</summary>
    public SessionContext Context => session.Context;

    /// <summary>Running, completed, aborted or abandoned.</summary>
    public PartyStatus Status { get; private set; }

    /// <summary>The result once <see cref="Status"/> is <see cref="PartyStatus.Completed"/>.</summary>
    public TResult Result => Status == PartyStatus.Completed ? pendingResult! : throw new InvalidOperationException($"party {Index} has not completed ({Status})");

    /// <summary>The culprits once <see cref="Status"/> is <see cref="PartyStatus.Aborted"/>.</summary>
    public IReadOnlyList<Culprit> Culprits { get; private set; } = [];

    /// <summary>
    /// Once aborted, the abort notice that proves whom it names: its own, or the other party's notice it
    /// judged and relayed.
    /// </summary>
    public RoundMessage? AbortNotice { get; private set; }

    /// <summary>Bytes this party sent in each round (index 0 is round 1), counting each message once.</summary>
    public IReadOnlyList<long> BytesSentPerRound => bytesSent;

    /// <summary>Rounds this party has sent messages for.</summary>
    public int Rounds => bytesSent.Count;

    /// <summary>The round this party is in.</summary>
    public int CurrentRound => current;

    /// <summary>The messages of its current round this party still waits for (none unless running).</summary>
    public IReadOnlyList<AwaitedMessage> Awaiting
    {
        get
        {
            if (Status != PartyStatus.Running || !started)
            {
                return [];
            }

            var shape = ExpectedShape();
            return
            [
                .. others.Where(j => shape.Broadcast && !history.Has(current, j, null)).Select(j => new AwaitedMessage(current, j, true)),
                .. others.Where(j => shape.Direct && !history.Has(current, j, session.Self)).Select(j => new AwaitedMessage(current, j, false)),
            ];
        }
    }

    /// <summary>The first round's messages. Call once.</summary>
    public IReadOnlyList<RoundMessage> Start()
    {
        if (started)
        {
            throw new InvalidOperationException("party already started");
        }

        started = true;
        var sent = Send(1, firstMessages, [], MessageKind.Round);
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
        if (message.IsAbort)
        {
            return HandleComplaint(message);
        }

        if (history.Has(message.Round, message.Sender, message.Recipient))
        {
            var earlier = history.Add(message);
            if (earlier is null)
            {
                return []; // an identical duplicate
            }

            conflicts.Add(new Culprit(message.Sender, Checks.Equivocation, $"round {message.Round}: signed two different messages for one slot", [earlier, message]));
        }
        else
        {
            history.Add(message);
        }

        return Advance();
    }

    /// <summary>
    /// Gives the run up from outside (the aggregator abandoned it, or the host is shutting down):
    /// wipes the secrets of the current round and of an unreleased result.
    /// </summary>
    public void Abandon()
    {
        if (Status == PartyStatus.Running)
        {
            Status = PartyStatus.Abandoned;
            Wipe();
        }
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

        try
        {
            m.Validate();
        }
        catch (DecodingException e)
        {
            throw new MessageRejectedException(RejectionReason.Malformed, e.Message);
        }

        if (!m.SignatureVerifies(session.Directory))
        {
            throw new MessageRejectedException(RejectionReason.BadSignature, $"signature of party {m.Sender} does not verify");
        }
    }

    private RoundShape ExpectedShape() =>
        awaitingConfirmation ? RoundShape.Confirm : new RoundShape(round!.ExpectsBroadcast, round.ExpectsDirect);

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

            var shape = ExpectedShape();
            if (Unexpected(shape) is { Count: > 0 } unexpected)
            {
                outgoing.Add(Abort(unexpected));
                break;
            }

            if (!others.All(j => (!shape.Broadcast || history.Has(current, j, null)) && (!shape.Direct || history.Has(current, j, session.Self))))
            {
                break;
            }

            var inbox = new RoundInbox(
                current,
                session.Self,
                others,
                shape.Broadcast ? others.ToDictionary(j => j, j => history.Broadcast(current, j)) : [],
                shape.Direct ? others.ToDictionary(j => j, j => history.Direct(current, j, session.Self)) : [],
                history);
            CheckEchoes(inbox);
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
            var view = shape.Broadcast ? EchoOf(inbox) : [];
            switch (outcome)
            {
                case RoundOutcome<TResult>.Next next:
                    outgoing.AddRange(Send(current + 1, next.Messages, view, MessageKind.Round));
                    previousHadBroadcast = shape.Broadcast;
                    round = next.Round;
                    current++;
                    break;
                case RoundOutcome<TResult>.Done done:
                    pendingResult = done.Result;
                    if (session.ConfirmCompletion)
                    {
                        outgoing.AddRange(Send(current + 1, new Outgoing { Broadcast = [] }, view, MessageKind.Confirmation));
                        previousHadBroadcast = shape.Broadcast;
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

    /// <summary>Messages of the current round of a kind it does not have, each blamed with the evidence of the round's shape.</summary>
    private List<Culprit> Unexpected(RoundShape shape)
    {
        var culprits = new List<Culprit>();
        foreach (var j in others)
        {
            foreach (var m in new[] { history.Find(current, j, null), history.Find(current, j, session.Self) })
            {
                if (m is null || ComplaintJudge.Fits(m, shape))
                {
                    continue;
                }

                var view = new RecordingView(history, j);
                view.Record(m);
                session.Judge.Shape(current, view); // records what the round's shape depends on
                culprits.Add(new Culprit(j, Checks.UnexpectedMessage, $"round {current}: sent a {m.Kind} {(m.IsBroadcast ? "broadcast" : "direct message")} the round does not have", view.Read));
                break;
            }
        }

        return culprits;
    }

    /// <summary>
    /// Checks every message of this round against the echo it must carry: one entry per broadcaster of
    /// the previous round, each a genuine signature of that party on that round's broadcast slot, and
    /// each naming the broadcast this party received. A genuine entry naming another broadcast proves
    /// that broadcaster equivocated; anything else proves the carrier lied.
    /// </summary>
    private void CheckEchoes(RoundInbox inbox)
    {
        var blamed = new HashSet<int>();
        var carriers = others.SelectMany(k => new[] { history.Find(current, k, null), history.Find(current, k, session.Self) }).OfType<RoundMessage>();
        foreach (var carrier in carriers)
        {
            var k = carrier.Sender;
            if (blamed.Contains(k))
            {
                continue;
            }

            if (carrier.Echo.Any(e => !carrier.EchoVerifies(e, session.Directory)))
            {
                blamed.Add(k);
                inbox.Blame(k, Checks.FalseEcho, "echoed a broadcast its sender never signed for that round", carrier);
                continue;
            }

            var expected = previousHadBroadcast ? session.Participants : [];
            if (carrier.Echo.Count != expected.Count || !expected.All(p => carrier.Echo.Count(e => e.Sender == p) == 1))
            {
                blamed.Add(k);
                var view = new RecordingView(history, k);
                view.Record(carrier);
                if (current > 1)
                {
                    session.Judge.Shape(current - 1, view); // records what the previous round's shape depends on
                }

                inbox.Blame(k, Checks.FalseEcho, $"echo of round {current - 1} broadcasts is incomplete", [.. view.Read]);
                continue;
            }

            foreach (var entry in carrier.Echo.Where(e => e.Sender != session.Self))
            {
                var j = entry.Sender;
                if (!CryptographicOperations.FixedTimeEquals(entry.ContentHash, echoView[j]) && blamed.Add(j))
                {
                    // A genuine signature of j on another broadcast for the same slot: j equivocated.
                    inbox.Blame(j, Checks.Equivocation, $"signed different round-{current - 1} broadcasts for different parties", history.Broadcast(current - 1, j), carrier);
                }
            }
        }
    }

    /// <summary>This party's view of the round's broadcasts, its own included: the echo it will send.</summary>
    private List<EchoEntry> EchoOf(RoundInbox inbox)
    {
        var view = others.Select(inbox.BroadcastFrom).ToList();
        if (history.Find(current, session.Self, null) is { } own)
        {
            view.Add(own);
        }

        var entries = view.Select(m => new EchoEntry(m.Sender, m.ContentHash(), m.Signature)).ToList();
        echoView = entries.ToDictionary(e => e.Sender, e => e.ContentHash);
        return entries;
    }

    private List<RoundMessage> Send(int number, Outgoing messages, IReadOnlyList<EchoEntry> echo, MessageKind kind)
    {
        var sent = new List<RoundMessage>();
        if (messages.Broadcast is { } payload)
        {
            sent.Add(Sign(number, null, payload, echo, kind));
        }

        foreach (var (recipient, payload2) in messages.Direct.OrderBy(e => e.Key))
        {
            if (!others.Contains(recipient))
            {
                throw new InvalidOperationException($"direct message to non-participant {recipient}");
            }

            sent.Add(Sign(number, recipient, payload2, echo, kind));
        }

        foreach (var m in sent)
        {
            history.Add(m);
        }

        while (bytesSent.Count < number)
        {
            bytesSent.Add(0);
        }

        bytesSent[number - 1] += sent.Sum(m => (long)m.EncodedSize);
        return sent;
    }

    private RoundMessage Sign(int number, int? recipient, byte[] payload, IReadOnlyList<EchoEntry> echo, MessageKind kind)
    {
        var unsigned = new RoundMessage(session.Protocol, session.SessionId, number, session.Self, recipient, payload, echo, []) { Kind = kind };
        return unsigned with { Signature = session.Signer.Sign(unsigned.Digest()) };
    }

    /// <summary>Aborts with <paramref name="culprits"/>, wipes the run's secrets, and returns the abort notice to broadcast.</summary>
    private RoundMessage Abort(IEnumerable<Culprit> culprits)
    {
        Culprits = [.. culprits.GroupBy(c => c.Party).Select(g => g.First())];
        Status = PartyStatus.Aborted;
        Wipe();
        var unsigned = new RoundMessage(session.Protocol, session.SessionId, current, session.Self, null, [], [], []) { Kind = MessageKind.Abort, Complaint = Culprits };
        AbortNotice = unsigned with { Signature = session.Signer.Sign(unsigned.Digest()) };
        return AbortNotice;
    }

    /// <summary>
    /// Judges another party's abort notice, aborts naming whom it proves guilty, and relays the notice
    /// itself to everyone (it is the sender's signed statement, so the relay adds no nesting and every
    /// recipient reaches the same verdict from it).
    /// </summary>
    private List<RoundMessage> HandleComplaint(RoundMessage notice)
    {
        Culprits = ComplaintJudge.Judge(session.Context, notice);
        Status = PartyStatus.Aborted;
        Wipe();
        AbortNotice = notice;
        return [notice];
    }

    private void Wipe()
    {
        round?.Discard();
        if (pendingResult is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
