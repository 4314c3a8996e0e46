using Google.Protobuf;
using Threshold.Rounds;
using Threshold.Rounds.Signing;

namespace Threshold.Adversary;

/// <summary>
/// The malicious parties of one run, acting together: each follows the protocol through its own state
/// machine, and the adversary rewrites what it sends according to its plan, with the only powers a real
/// malicious party has — its own signing key and every signed message any malicious party has seen
/// (this run's, and other sessions' it kept). Honest parties' messages are never touched: the router
/// is honest.
/// </summary>
public sealed class Adversary
{
    private const int MaxHeld = 400;

    private readonly IReadOnlyDictionary<int, IMessageSigner> signers;
    private readonly IReadOnlyDictionary<int, IReadOnlyList<PlannedMisbehaviour>> plans;
    private readonly IReadOnlyList<int> participants;
    private readonly IReadOnlyList<string> checks;
    private readonly Random random;
    private readonly List<RoundMessage> held;
    private readonly Dictionary<string, List<(int Recipient, RoundMessage Message)>> decided = [];

    /// <summary>Creates the adversary controlling the parties of <paramref name="signers"/> with their plans.</summary>
    /// <param name="signers">The malicious parties' identity keys.</param>
    /// <param name="plans">What each malicious party does.</param>
    /// <param name="participants">Every participant of the run.</param>
    /// <param name="checks">The check codes an accusation may name (the protocol's and the framework's).</param>
    /// <param name="held">Signed messages kept from other sessions (shared across runs; the adversary adds to it).</param>
    /// <param name="random">The adversary's choices.</param>
    public Adversary(
        IReadOnlyDictionary<int, IMessageSigner> signers,
        IReadOnlyDictionary<int, IReadOnlyList<PlannedMisbehaviour>> plans,
        IReadOnlyList<int> participants,
        IReadOnlyList<string> checks,
        List<RoundMessage> held,
        Random random)
    {
        this.signers = signers ?? throw new ArgumentNullException(nameof(signers));
        this.plans = plans ?? throw new ArgumentNullException(nameof(plans));
        this.participants = participants ?? throw new ArgumentNullException(nameof(participants));
        this.checks = checks ?? throw new ArgumentNullException(nameof(checks));
        this.held = held ?? throw new ArgumentNullException(nameof(held));
        this.random = random ?? throw new ArgumentNullException(nameof(random));
    }

    /// <summary>The misbehaviours that actually changed a message (a plan aimed at a round never reached does nothing).</summary>
    public HashSet<Misbehaviour> Performed { get; } = [];

    /// <summary>Whether <paramref name="party"/> is malicious.</summary>
    public bool IsMalicious(int party) => signers.ContainsKey(party);

    /// <summary>Keeps a message a malicious party received, as material for later forgeries.</summary>
    public void Observe(RoundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (held.Count >= MaxHeld)
        {
            held.RemoveAt(random.Next(held.Count));
        }

        held.Add(message);
    }

    /// <summary>What reaches <paramref name="recipient"/> when malicious <paramref name="producer"/> sends <paramref name="message"/>.</summary>
    public IReadOnlyList<(int Recipient, RoundMessage Message)> Transform(int producer, RoundMessage message, int recipient)
    {
        ArgumentNullException.ThrowIfNull(message);
        Observe(message);
        var output = new List<(int, RoundMessage)> { (recipient, message) };
        if (message.IsAbort)
        {
            return output;
        }

        foreach (var plan in plans.GetValueOrDefault(producer, []).Where(p => p.Round == message.Round))
        {
            output = [.. output.SelectMany(o => Apply(producer, plan, o.Item2, recipient))];
        }

        return output;
    }

    private IEnumerable<(int, RoundMessage)> Apply(int producer, PlannedMisbehaviour plan, RoundMessage message, int recipient)
    {
        var targeted = plan.Targets.Contains(recipient);
        var signer = signers[producer];
        switch (plan.Behaviour)
        {
            case Misbehaviour.TamperField:
                return [(recipient, Once(message, "tamper", () => Resign(message with { Payload = ProtobufMutator.Mutate(message.Payload, random) }, signer)))];
            case Misbehaviour.Equivocate when message.IsBroadcast:
                return [(recipient, targeted ? Once(message, "equivocate", () => Resign(message with { Payload = ProtobufMutator.Mutate(message.Payload, random) }, signer)) : message)];
            case Misbehaviour.Equivocate when targeted:
                Performed.Add(plan.Behaviour);
                return [(recipient, message), (recipient, Resign(message with { Payload = ProtobufMutator.Mutate(message.Payload, random) }, signer))];
            case Misbehaviour.Withhold when targeted:
                Performed.Add(plan.Behaviour);
                return [];
            case Misbehaviour.ForgeEcho when targeted:
                return [(recipient, Once(message, "echo", () => Resign(message with { Echo = ForgedEcho(message) }, signer)))];
            case Misbehaviour.FalseNotice when targeted:
                return [(recipient, message), (recipient, Once(message, "notice", () => Notice(producer, message, FalseAccusations(producer, message))))];
            case Misbehaviour.EmptyNotice when targeted:
                return [(recipient, Once(message, "empty", () => Notice(producer, message, [])))];
            case Misbehaviour.Replay when targeted:
                return [(recipient, Once(message, "replay", () => Replayed(producer, message)))];
            case Misbehaviour.WrongKind when targeted:
                return [(recipient, Once(message, "kind", () => WrongKind(message, recipient)))];
            default:
                return [(recipient, message)];
        }

        RoundMessage Once(RoundMessage original, string what, Func<RoundMessage> make)
        {
            // One decision per message, so every recipient of a broadcast sees the same forgery.
            var key = $"{what}:{Convert.ToHexString(original.Digest())}";
            if (!decided.TryGetValue(key, out var made))
            {
                made = [(0, make())];
                decided[key] = made;
                Performed.Add(plan.Behaviour);
            }

            return made[0].Message;
        }
    }

    private IReadOnlyList<EchoEntry> ForgedEcho(RoundMessage message)
    {
        var echo = message.Echo.ToList();
        switch (echo.Count == 0 ? 0 : random.Next(5))
        {
            case 0:
                // Any signed material it holds, passed off as someone's previous-round broadcast.
                var material = Pick(held) ?? message;
                var entry = new EchoEntry(material.Sender, material.ContentHash(), material.Signature);
                if (echo.Count > 0)
                {
                    echo[random.Next(echo.Count)] = entry;
                }
                else
                {
                    echo.Add(entry);
                }

                break;
            case 1:
                var at = random.Next(echo.Count);
                echo[at] = echo[at] with { ContentHash = RandomBytes(32) };
                break;
            case 2:
                echo.RemoveAt(random.Next(echo.Count));
                break;
            case 3:
                echo.Add(echo[random.Next(echo.Count)]);
                break;
            default:
                // A genuine other message of the echoed party: its direct message or another round's broadcast.
                var victim = echo[random.Next(echo.Count)].Sender;
                var other = Pick(held.Where(h => h.Sender == victim && !h.IsAbort).ToList());
                if (other is not null)
                {
                    echo[echo.FindIndex(e => e.Sender == victim)] = new EchoEntry(victim, other.ContentHash(), other.Signature);
                }

                break;
        }

        return echo;
    }

    private List<Culprit> FalseAccusations(int producer, RoundMessage message)
    {
        var accusations = new List<Culprit>();
        for (var n = random.Next(1, 3); n > 0; n--)
        {
            var accused = participants[random.Next(participants.Count)];
            var check = checks[random.Next(checks.Count)];
            var evidence = new List<RoundMessage>();
            if (check == Checks.Equivocation && EchoFrame(producer, message, accused) is { } framed)
            {
                evidence.AddRange(framed);
            }
            else
            {
                var ofAccused = held.Where(h => h.Sender == accused && !h.IsAbort).ToList();
                for (var k = random.Next(1, 5); k > 0; k--)
                {
                    if ((random.Next(3) == 0 ? Pick(held) : Pick(ofAccused)) is { } m)
                    {
                        evidence.Add(m);
                    }
                }
            }

            var disclosure = random.Next(3) switch
            {
                0 => [],
                1 => RandomBytes(random.Next(1, 600)),
                _ => AlphaShaped(),
            };
            accusations.Add(new Culprit(accused, check, "made up", evidence) { Disclosure = disclosure });
        }

        return accusations;
    }

    /// <summary>
    /// The forged-echo frame: the accused's genuine broadcast, and a message of the adversary's own whose
    /// echo carries another genuine signature of the accused (its direct message, or a broadcast of another
    /// round) as if it were that broadcast.
    /// </summary>
    private RoundMessage[]? EchoFrame(int producer, RoundMessage message, int accused)
    {
        var broadcast = Pick(held.Where(h => h.Sender == accused && h.IsBroadcast && !h.IsAbort && h.SessionId.AsSpan().SequenceEqual(message.SessionId)).ToList());
        var other = broadcast is null ? null : Pick(held.Where(h => h.Sender == accused && !h.IsAbort && !h.SameContentAs(broadcast)).ToList());
        if (broadcast is null || other is null)
        {
            return null;
        }

        var carrier = message with
        {
            Round = broadcast.Round + 1,
            Recipient = null,
            Echo = [new EchoEntry(accused, other.ContentHash(), other.Signature)],
        };
        return [broadcast, Resign(carrier, signers[producer])];
    }

    private byte[] AlphaShaped()
    {
        var plaintext = RandomBytes(170);
        var nonce = RandomBytes(256);
        return new Threshold.Cggmp.Wire.PresignAlphaDisclosure
        {
            Which = (uint)random.Next(2),
            Plaintext = Google.Protobuf.ByteString.CopyFrom([(byte)random.Next(2), .. plaintext]),
            Nonce = Google.Protobuf.ByteString.CopyFrom(nonce),
        }.ToByteArray();
    }

    private RoundMessage Notice(int producer, RoundMessage message, IReadOnlyList<Culprit> accusations)
    {
        var unsigned = new RoundMessage(message.Protocol, message.SessionId, message.Round, producer, null, [], [], []) { Kind = MessageKind.Abort, Complaint = accusations };
        return Resign(unsigned, signers[producer]);
    }

    private RoundMessage Replayed(int producer, RoundMessage message)
    {
        var otherSession = held.Where(h => !h.SessionId.AsSpan().SequenceEqual(message.SessionId)).ToList();
        if (random.Next(2) == 0 && Pick(otherSession) is { } foreign)
        {
            return foreign; // as it was signed, by whoever signed it
        }

        var own = Pick(held.Where(h => h.Sender == producer && !h.IsAbort && h.Round != message.Round).ToList());
        var payload = own?.Payload ?? Pick(otherSession)?.Payload ?? RandomBytes(32);
        return Resign(message with { Payload = payload }, signers[producer]);
    }

    private RoundMessage WrongKind(RoundMessage message, int recipient) => random.Next(3) switch
    {
        0 => Resign(message with { Recipient = null, Payload = [], Kind = MessageKind.Confirmation }, signers[message.Sender]),
        1 when message.IsBroadcast => Resign(message with { Recipient = recipient }, signers[message.Sender]),
        _ => Resign(message with { Recipient = message.IsBroadcast ? recipient : null, Round = message.Round + 1 }, signers[message.Sender]),
    };

    private T? Pick<T>(IReadOnlyList<T> items) where T : class => items.Count == 0 ? null : items[random.Next(items.Count)];

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static RoundMessage Resign(RoundMessage message, IMessageSigner signer)
    {
        var unsigned = message with { Signature = [] };
        return unsigned with { Signature = signer.Sign(unsigned.Digest()) };
    }
}
