namespace Threshold.Rounds;

/// <summary>
/// The messages of one round, all present and signature-checked, with a place to collect blame:
/// a round records every misbehaving sender it finds before deciding, so an abort names them all.
/// Checks read messages through <see cref="View"/>, which records what they read as the evidence
/// a judge needs to re-run them.
/// </summary>
public sealed class RoundInbox
{
    private readonly IReadOnlyDictionary<int, RoundMessage> broadcasts;
    private readonly IReadOnlyDictionary<int, RoundMessage> direct;
    private readonly MessageView history;
    private readonly List<Culprit> culprits = [];

    internal RoundInbox(int round, int self, IReadOnlyList<int> others, IReadOnlyDictionary<int, RoundMessage> broadcasts, IReadOnlyDictionary<int, RoundMessage> direct, MessageView history)
    {
        Round = round;
        Self = self;
        Others = others;
        this.broadcasts = broadcasts;
        this.direct = direct;
        this.history = history;
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

    /// <summary>A fresh view of everything this party sent and received so far, recording reads for a check of <paramref name="accused"/>.</summary>
    public RecordingView View(int accused) => new(history, accused);

    /// <summary>Whether <paramref name="party"/> has been blamed in this round.</summary>
    public bool IsBlamed(int party) => culprits.Any(c => c.Party == party);

    /// <summary>Records <paramref name="party"/> as a culprit of <paramref name="check"/>, with the messages its check read as evidence.</summary>
    public void Blame(int party, string check, string reason, RecordingView view, byte[]? disclosure = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        culprits.Add(new Culprit(party, check, $"round {Round}: {reason}", view.Read) { Disclosure = disclosure ?? [] });
    }

    /// <summary>Records <paramref name="party"/> as a culprit of <paramref name="check"/> with the given evidence.</summary>
    public void Blame(int party, string check, string reason, params RoundMessage[] evidence) =>
        culprits.Add(new Culprit(party, check, $"round {Round}: {reason}", evidence));

    /// <summary>
    /// Decodes every sender's payload of one kind with <paramref name="decode"/>, which reads any other
    /// message it depends on through the view it is given; a sender whose payload does not decode (a
    /// <see cref="DecodingException"/>) is blamed under <paramref name="check"/>, with its message first
    /// in the evidence, and left out of the result. Its judge decodes the evidence the same way.
    /// </summary>
    public IReadOnlyDictionary<int, T> DecodeAll<T>(bool broadcast, string check, Func<int, RoundMessage, MessageView, T> decode)
    {
        ArgumentNullException.ThrowIfNull(decode);
        var decoded = new Dictionary<int, T>();
        foreach (var j in Others)
        {
            var view = View(j);
            var message = view.Record(broadcast ? broadcasts[j] : direct[j]);
            try
            {
                decoded[j] = decode(j, message, view);
            }
            catch (DecodingException e)
            {
                Blame(j, check, $"malformed {(broadcast ? "broadcast" : "direct message")}: {e.Message}", view);
            }
        }

        return decoded;
    }

    /// <summary>
    /// Runs <paramref name="check"/> for each of <paramref name="parties"/> not yet blamed, in parallel,
    /// each through its own recording view, and blames every party whose check fails with what it read.
    /// </summary>
    public void CheckAll(IEnumerable<int> parties, Func<int, MessageView, CheckFailure?> check)
    {
        ArgumentNullException.ThrowIfNull(parties);
        ArgumentNullException.ThrowIfNull(check);
        var list = parties.Where(j => !IsBlamed(j)).ToList();
        var views = list.Select(View).ToList();
        var failures = new CheckFailure?[list.Count];
        Parallel.For(0, list.Count, n => failures[n] = check(list[n], views[n]));
        for (var n = 0; n < list.Count; n++)
        {
            if (failures[n] is { } failed)
            {
                Blame(list[n], failed.Check, failed.Reason, views[n], failed.Disclosure);
            }
        }
    }

    /// <summary>The abort outcome with every culprit recorded.</summary>
    public RoundOutcome<TResult> Fail<TResult>() => new RoundOutcome<TResult>.Failed([.. culprits]);
}

/// <summary>A failed check: its stable code, what was wrong, and any disclosure that substantiates it.</summary>
/// <param name="Check">The check code, e.g. "presign.enc".</param>
/// <param name="Reason">What the accused did, for people (no secrets).</param>
/// <param name="Disclosure">Data only the accuser could reveal that the judge needs (or null).</param>
public sealed record CheckFailure(string Check, string Reason, byte[]? Disclosure = null);
