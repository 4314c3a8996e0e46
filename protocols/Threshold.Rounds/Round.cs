namespace Threshold.Rounds;

/// <summary>
/// What a party sends in one round: at most one broadcast payload and at most one direct payload per
/// other party. Payloads are the protocol's own protobuf messages; the framework wraps, binds and signs them.
/// </summary>
public sealed class Outgoing
{
    /// <summary>No messages.</summary>
    public static Outgoing None => new();

    /// <summary>The broadcast payload, if any.</summary>
    public byte[]? Broadcast { get; init; }

    /// <summary>Direct payloads by recipient.</summary>
    public IReadOnlyDictionary<int, byte[]> Direct { get; init; } = new Dictionary<int, byte[]>();
}

/// <summary>
/// One round of a protocol as seen by one party: which kinds of message it waits for from every other
/// party, and what it does once they are all in (<see cref="Finish"/>): move on with the next round's
/// messages, complete with a result, or abort naming culprits. Rounds hold the secret state between
/// rounds; a round object is finished at most once.
/// </summary>
/// <typeparam name="TResult">The protocol's output.</typeparam>
public abstract class Round<TResult>
{
    /// <summary>Whether every other party sends a broadcast in this round.</summary>
    public abstract bool ExpectsBroadcast { get; }

    /// <summary>Whether every other party sends this party a direct message in this round.</summary>
    public abstract bool ExpectsDirect { get; }

    /// <summary>Processes this round's messages from all other parties.</summary>
    public abstract RoundOutcome<TResult> Finish(RoundInbox inbox);
}

/// <summary>What finishing a round leads to.</summary>
/// <typeparam name="TResult">The protocol's output.</typeparam>
public abstract record RoundOutcome<TResult>
{
    private RoundOutcome()
    {
    }

    /// <summary>Go on: send <paramref name="Messages"/> and wait in <paramref name="Round"/>.</summary>
    public sealed record Next(Round<TResult> Round, Outgoing Messages) : RoundOutcome<TResult>;

    /// <summary>The protocol completed with <paramref name="Result"/>.</summary>
    public sealed record Done(TResult Result) : RoundOutcome<TResult>;

    /// <summary>The protocol aborted; <paramref name="Culprits"/> are every party found misbehaving.</summary>
    public sealed record Failed(IReadOnlyList<Culprit> Culprits) : RoundOutcome<TResult>;
}

/// <summary>
/// A party found misbehaving, why, and the signed messages that show it (verifiable by anyone holding
/// the parties' public identity keys; where the fault is a failed proof, re-running the named check on
/// the evidence reproduces it).
/// </summary>
/// <param name="Party">The culprit's index.</param>
/// <param name="Reason">What it did, e.g. "round 3: Πsch sch.eq failed" (never secret values).</param>
/// <param name="Evidence">The culprit's signed messages (and others' where they are part of the proof).</param>
public sealed record Culprit(int Party, string Reason, IReadOnlyList<RoundMessage> Evidence);
