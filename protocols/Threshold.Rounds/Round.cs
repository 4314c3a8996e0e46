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
/// A party found misbehaving, which check it failed, and the signed messages that show it (verifiable
/// by anyone holding the parties' public identity keys; where the fault is a failed proof, re-running
/// the named check on the evidence reproduces it).
/// </summary>
/// <param name="Party">The culprit's index.</param>
/// <param name="Check">Stable code of the failed check, e.g. "keygen.share" or <see cref="Checks.Equivocation"/>.</param>
/// <param name="Reason">What it did, for people (never secret values).</param>
/// <param name="Evidence">The culprit's signed messages (and others' where they are part of the proof).</param>
public sealed record Culprit(int Party, string Check, string Reason, IReadOnlyList<RoundMessage> Evidence)
{
    /// <summary>
    /// Protocol-defined data the accuser reveals to substantiate the accusation (for example the
    /// decryption of a ciphertext only it can decrypt, with the nonce that proves it); empty if none.
    /// Only ever secrets of an aborted run, which are discarded anyway.
    /// </summary>
    public byte[] Disclosure { get; init; } = [];
}

/// <summary>The check codes the framework itself uses; protocols add their own.</summary>
public static class Checks
{
    /// <summary>Two different signed messages for one slot, or different broadcasts to different parties.</summary>
    public const string Equivocation = "framework.equivocation";

    /// <summary>An echo entry carrying a signature its claimed sender never made, or an incomplete echo.</summary>
    public const string FalseEcho = "framework.echo";

    /// <summary>A payload that does not decode, or a message of a kind the round does not have.</summary>
    public const string Malformed = "framework.malformed";

    /// <summary>A complaint whose evidence does not show what it claims.</summary>
    public const string FalseAccusation = "framework.false-accusation";
}

/// <summary>
/// Decides whether an accusation received in another party's complaint is proven by its evidence.
/// Each protocol supplies one, re-running its own checks on the signed evidence; the framework has
/// already verified every evidence signature.
/// </summary>
public interface IBlameJudge
{
    /// <summary>
    /// True when the evidence proves the accusation, false when it refutes it (the accuser is then
    /// blamed), null when this judge cannot tell (neither is blamed).
    /// </summary>
    bool? Confirms(Culprit accusation, int accuser);
}
