namespace Threshold.Adversary;

/// <summary>What a malicious party can do with its own key. Each is aimed at one round.</summary>
public enum Misbehaviour
{
    /// <summary>Alters one field of its round message (any field of any proof), for every recipient.</summary>
    TamperField,

    /// <summary>A broadcast: an altered version to some recipients. A direct message: a second, altered version.</summary>
    Equivocate,

    /// <summary>Sends its round messages to only some recipients.</summary>
    Withhold,

    /// <summary>Replaces an echo entry with other signed material it holds (an earlier round's broadcast, a direct message, another session's message), random bytes, or drops or repeats one.</summary>
    ForgeEcho,

    /// <summary>Sends some parties an abort notice whose accusations it assembled from whatever signed messages it holds.</summary>
    FalseNotice,

    /// <summary>Sends some parties an abort notice naming nobody.</summary>
    EmptyNotice,

    /// <summary>Sends another session's message, or its own message of another round re-signed for this one.</summary>
    Replay,

    /// <summary>Sends a confirmation too early, or turns a broadcast into a direct message or the reverse.</summary>
    WrongKind,

    /// <summary>Presigning: a wrong δ_i, which its later steps (identification) carry on.</summary>
    WrongDelta,

    /// <summary>Presigning: a wrong S_i = χ_i·R.</summary>
    WrongChiCommitment,

    /// <summary>Presigning: a corrupted Πenc in round 1.</summary>
    BadEncryptionProof,

    /// <summary>Aux-info: commits to a provision whose Πprm does not verify.</summary>
    BadProvision,

    /// <summary>Signing: a wrong or undecodable partial signature.</summary>
    WrongPartialSignature,
}

/// <summary>One misbehaviour of one malicious party, aimed at one round and (where it matters) at some recipients.</summary>
/// <param name="Behaviour">What it does.</param>
/// <param name="Round">The round whose messages it acts on.</param>
/// <param name="Targets">The recipients affected (for equivocation, withholding, notices).</param>
public sealed record PlannedMisbehaviour(Misbehaviour Behaviour, int Round, IReadOnlySet<int> Targets)
{
    /// <inheritdoc />
    public override string ToString() => $"{Behaviour}@r{Round}→[{string.Join(",", Targets.Order())}]";
}
