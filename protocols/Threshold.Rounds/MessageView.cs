namespace Threshold.Rounds;

/// <summary>A check needs a message that the evidence does not hold, or holds in a form that does not fit.</summary>
public sealed class EvidenceException(string message) : Exception(message);

/// <summary>
/// The signed messages of one run, as a check reads them. A protocol writes each of its checks once,
/// against this view; the party running the protocol reads through a <see cref="RecordingView"/> of
/// its own history (which collects what the check read as the evidence of a blame), and a judge reads
/// through an <see cref="EvidenceView"/> over that evidence. So the judge re-runs exactly the accuser's
/// check on exactly the accuser's inputs.
/// </summary>
public abstract class MessageView
{
    /// <summary>Party <paramref name="sender"/>'s round-<paramref name="round"/> broadcast.</summary>
    /// <exception cref="EvidenceException">The view does not hold it.</exception>
    public abstract RoundMessage Broadcast(int round, int sender);

    /// <summary>Party <paramref name="sender"/>'s round-<paramref name="round"/> message to <paramref name="recipient"/>.</summary>
    /// <exception cref="EvidenceException">The view does not hold it.</exception>
    public abstract RoundMessage Direct(int round, int sender, int recipient);

    /// <summary>Some round-<paramref name="round"/> message of <paramref name="sender"/> (its broadcast if it sent one), or null.</summary>
    internal abstract RoundMessage? AnyFrom(int round, int sender);
}

/// <summary>Everything one party sent and received in a run, by slot.</summary>
internal sealed class PartyHistory(int self) : MessageView
{
    private readonly Dictionary<(int Round, int Sender, int Recipient), RoundMessage> messages = [];

    /// <summary>Stores <paramref name="message"/>; returns the message already in its slot if that one differs, else null.</summary>
    public RoundMessage? Add(RoundMessage message)
    {
        var slot = (message.Round, message.Sender, message.Recipient ?? 0);
        if (messages.TryGetValue(slot, out var earlier))
        {
            return earlier.SameContentAs(message) ? null : earlier;
        }

        messages[slot] = message;
        return null;
    }

    /// <summary>Whether a message from <paramref name="sender"/> fills the slot.</summary>
    public bool Has(int round, int sender, int? recipient) => messages.ContainsKey((round, sender, recipient ?? 0));

    /// <summary>The message in the slot, or null.</summary>
    public RoundMessage? Find(int round, int sender, int? recipient) => messages.GetValueOrDefault((round, sender, recipient ?? 0));

    public override RoundMessage Broadcast(int round, int sender) =>
        Find(round, sender, null) ?? throw new EvidenceException($"no round-{round} broadcast of party {sender}");

    public override RoundMessage Direct(int round, int sender, int recipient) =>
        Find(round, sender, recipient) ?? throw new EvidenceException($"no round-{round} message from party {sender} to {recipient}");

    internal override RoundMessage? AnyFrom(int round, int sender) =>
        Find(round, sender, null) ?? Find(round, sender, self) ?? messages.Values.FirstOrDefault(m => m.Round == round && m.Sender == sender);
}

/// <summary>
/// A view of the party's own history for checking one accused party, recording every message read.
/// Whenever a check reads another party's round-r broadcast, the accused's own round-(r + 1) message
/// is recorded too: its echo shows that the accused saw that very broadcast, which is what makes the
/// recorded messages sufficient, consistent evidence for a judge.
/// </summary>
public sealed class RecordingView : MessageView
{
    private readonly MessageView history;
    private readonly List<RoundMessage> read = [];

    /// <summary>Records what is read from <paramref name="history"/> for a check of party <paramref name="accused"/>.</summary>
    public RecordingView(MessageView history, int accused)
    {
        this.history = history ?? throw new ArgumentNullException(nameof(history));
        Accused = accused;
    }

    /// <summary>The party being checked.</summary>
    public int Accused { get; }

    /// <summary>The messages read so far, each once, in order: the evidence of a blame.</summary>
    public IReadOnlyList<RoundMessage> Read
    {
        get
        {
            lock (read)
            {
                return [.. read];
            }
        }
    }

    /// <inheritdoc />
    public override RoundMessage Broadcast(int round, int sender)
    {
        var message = Record(history.Broadcast(round, sender));
        if (sender != Accused && history.AnyFrom(round + 1, Accused) is { } carrier)
        {
            Record(carrier);
        }

        return message;
    }

    /// <inheritdoc />
    public override RoundMessage Direct(int round, int sender, int recipient) => Record(history.Direct(round, sender, recipient));

    /// <summary>Records <paramref name="message"/> as evidence without a read (the message a check is about).</summary>
    public RoundMessage Record(RoundMessage message)
    {
        lock (read)
        {
            if (!read.Any(m => ReferenceEquals(m, message)))
            {
                read.Add(message);
            }
        }

        return message;
    }

    internal override RoundMessage? AnyFrom(int round, int sender) => history.AnyFrom(round, sender);
}

/// <summary>
/// A judge's view of an accusation's evidence, for one accused party. Another party's round-r broadcast
/// is served only if the evidence also holds the accused's round-(r + 1) message and that message's
/// echo names exactly this broadcast: a judge thus computes with the values the accused itself saw,
/// and an accuser cannot substitute a version of someone's broadcast the accused never received.
/// </summary>
public sealed class EvidenceView : MessageView
{
    private readonly Dictionary<(int Round, int Sender, int Recipient), RoundMessage> messages = [];

    /// <summary>Indexes <paramref name="evidence"/> (abort notices excluded) for checking party <paramref name="accused"/>.</summary>
    /// <exception cref="EvidenceException">The evidence holds two different messages for one slot.</exception>
    public EvidenceView(IEnumerable<RoundMessage> evidence, int accused)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        Accused = accused;
        foreach (var m in evidence.Where(m => !m.IsAbort))
        {
            var slot = (m.Round, m.Sender, m.Recipient ?? 0);
            if (messages.TryGetValue(slot, out var other) && !other.SameContentAs(m))
            {
                throw new EvidenceException($"two different round-{m.Round} messages of party {m.Sender} in one slot");
            }

            messages[slot] = m;
        }
    }

    /// <summary>The party the evidence is about.</summary>
    public int Accused { get; }

    /// <inheritdoc />
    public override RoundMessage Broadcast(int round, int sender)
    {
        var message = messages.GetValueOrDefault((round, sender, 0)) ?? throw new EvidenceException($"evidence lacks party {sender}'s round-{round} broadcast");
        if (sender != Accused)
        {
            var carrier = AnyFrom(round + 1, Accused) ?? throw new EvidenceException($"evidence lacks party {Accused}'s round-{round + 1} echo");
            var entries = carrier.Echo.Where(e => e.Sender == sender).ToList();
            if (entries.Count != 1 || !entries[0].ContentHash.AsSpan().SequenceEqual(message.ContentHash()))
            {
                throw new EvidenceException($"party {sender}'s round-{round} broadcast is not the one party {Accused} echoed");
            }
        }

        return message;
    }

    /// <inheritdoc />
    public override RoundMessage Direct(int round, int sender, int recipient) =>
        messages.GetValueOrDefault((round, sender, recipient)) ?? throw new EvidenceException($"evidence lacks party {sender}'s round-{round} message to {recipient}");

    internal override RoundMessage? AnyFrom(int round, int sender) =>
        messages.GetValueOrDefault((round, sender, 0)) ?? messages.Values.FirstOrDefault(m => m.Round == round && m.Sender == sender);
}
