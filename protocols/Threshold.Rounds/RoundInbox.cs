namespace Threshold.Rounds;

/// <summary>
/// The messages of one round, all present and signature-checked, with a place to collect blame:
/// a round records every misbehaving sender it finds before deciding, so an abort names them all.
/// </summary>
public sealed class RoundInbox
{
    private readonly IReadOnlyDictionary<int, RoundMessage> broadcasts;
    private readonly IReadOnlyDictionary<int, RoundMessage> direct;
    private readonly List<Culprit> culprits = [];

    internal RoundInbox(int round, int self, IReadOnlyList<int> others, IReadOnlyDictionary<int, RoundMessage> broadcasts, IReadOnlyDictionary<int, RoundMessage> direct)
    {
        Round = round;
        Self = self;
        Others = others;
        this.broadcasts = broadcasts;
        this.direct = direct;
    }

    /// <summary>The round number (1-based).</summary>
    public int Round { get; }

    /// <summary>This party's index.</summary>
    public int Self { get; }

    /// <summary>The other parties, ascending.</summary>
    public IReadOnlyList<int> Others { get; }

    /// <summary>Culprits recorded so far in this round.</summary>
    public IReadOnlyList<Culprit> Culprits => culprits;

    /// <summary>Whether any culprit was recorded.</summary>
    public bool HasCulprits => culprits.Count > 0;

    /// <summary>Party <paramref name="sender"/>'s broadcast message of this round.</summary>
    public RoundMessage BroadcastFrom(int sender) => broadcasts[sender];

    /// <summary>Party <paramref name="sender"/>'s direct message to this party in this round.</summary>
    public RoundMessage DirectFrom(int sender) => direct[sender];

    /// <summary>Records <paramref name="party"/> as a culprit, with evidence and a disclosure that substantiates it.</summary>
    public void Blame(int party, string check, string reason, byte[] disclosure, params RoundMessage[] evidence) =>
        culprits.Add(new Culprit(party, check, $"round {Round}: {reason}", evidence) { Disclosure = disclosure });

    /// <summary>Records <paramref name="party"/> as a culprit of <paramref name="check"/> with the given evidence.</summary>
    public void Blame(int party, string check, string reason, params RoundMessage[] evidence) =>
        culprits.Add(new Culprit(party, check, $"round {Round}: {reason}", evidence));

    /// <summary>
    /// Decodes every sender's payload of one kind with <paramref name="decode"/>; a sender whose payload
    /// is malformed (a <see cref="DecodingException"/>) is blamed and left out of the result.
    /// </summary>
    public IReadOnlyDictionary<int, T> DecodeAll<T>(bool broadcast, Func<int, byte[], T> decode)
    {
        ArgumentNullException.ThrowIfNull(decode);
        var decoded = new Dictionary<int, T>();
        foreach (var j in Others)
        {
            var message = broadcast ? broadcasts[j] : direct[j];
            try
            {
                decoded[j] = decode(j, message.Payload);
            }
            catch (DecodingException e)
            {
                Blame(j, Checks.Malformed, $"malformed {(broadcast ? "broadcast" : "direct message")}: {e.Message}", message);
            }
        }

        return decoded;
    }

    /// <summary>The abort outcome with every culprit recorded.</summary>
    public RoundOutcome<TResult> Fail<TResult>() => new RoundOutcome<TResult>.Failed([.. culprits]);
}
