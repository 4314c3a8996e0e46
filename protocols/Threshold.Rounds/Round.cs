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

    /// <summary>
    /// Wipes the secret state this round holds. The engine calls it when the party aborts while
    /// waiting in this round (a complaint, an equivocation, a false echo) and when the run is
    /// abandoned; it must be safe to call more than once and after <see cref="Finish"/>.
    /// </summary>
    public virtual void Discard()
    {
    }
}

/// <summary>Which messages every other party sends in one round.</summary>
/// <param name="Broadcast">A broadcast (of the round's payload, or the confirmation).</param>
/// <param name="Direct">A direct message to each other party.</param>
/// <param name="Confirmation">The round is the confirmation round: the broadcast is an empty confirmation.</param>
public readonly record struct RoundShape(bool Broadcast, bool Direct, bool Confirmation = false)
{
    /// <summary>A round the protocol does not have: no message is expected.</summary>
    public static RoundShape None => default;

    /// <summary>The confirmation round.</summary>
    public static RoundShape Confirm => new(true, false, true);
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
    /// <summary>Two different signed contents for one slot: two messages, or a message and another party's echo of it.</summary>
    public const string Equivocation = "framework.equivocation";

    /// <summary>An echo entry carrying a signature its claimed sender never made, or an incomplete echo.</summary>
    public const string FalseEcho = "framework.echo";

    /// <summary>A message of a kind the round does not have (a direct message in a broadcast-only round, a confirmation too early, a payload where a confirmation is due).</summary>
    public const string UnexpectedMessage = "framework.unexpected";

    /// <summary>An abort notice that names nobody: a party may stop only by naming whom it blames.</summary>
    public const string EmptyComplaint = "framework.empty-complaint";

    /// <summary>An abort notice with an accusation its evidence does not prove.</summary>
    public const string FalseAccusation = "framework.false-accusation";
}

/// <summary>
/// Decides, from signed evidence and the protocol's public setup alone, whether an accusation holds.
/// Each protocol supplies one; it re-runs exactly the check the accuser ran, reading every message
/// through a <see cref="MessageView"/> over the evidence, which ties the values of other parties'
/// broadcasts to what the accused itself echoed. The same judge serves the parties of a run, the
/// aggregator and any third party: it keeps no state of the run.
/// </summary>
public interface IBlameJudge
{
    /// <summary>
    /// The shape of round <paramref name="round"/>: which messages every party sends in it. Protocols
    /// whose later rounds depend on earlier results read them from <paramref name="view"/>.
    /// </summary>
    /// <exception cref="EvidenceException">The view lacks a message the answer depends on.</exception>
    RoundShape Shape(int round, MessageView view);

    /// <summary>
    /// True when the evidence proves <paramref name="accusation"/> against its party; false when it
    /// does not (the accuser is then blamed). The framework has already checked every evidence
    /// signature and session; <paramref name="view"/> serves the evidence for the accused.
    /// </summary>
    bool Confirms(Culprit accusation, int accuser, MessageView view);
}
