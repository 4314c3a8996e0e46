namespace Threshold.Rounds;

/// <summary>Why a party refused to take a message (without blaming its claimed sender).</summary>
public enum RejectionReason
{
    /// <summary>Another protocol or session id: misrouted or replayed from an old session.</summary>
    WrongSession,
    /// <summary>The sender is not a participant, or is the receiving party itself.</summary>
    UnknownSender,
    /// <summary>A direct message for another party.</summary>
    WrongRecipient,
    /// <summary>A round number outside what the protocol can reach.</summary>
    RoundOutOfRange,
    /// <summary>The signature does not verify under the claimed sender's identity key.</summary>
    BadSignature,
    /// <summary>The envelope breaks a structural rule (see <see cref="RoundMessage.Validate"/>).</summary>
    Malformed,
}

/// <summary>
/// A message was refused before it reached the protocol: it cannot be attributed to its claimed sender
/// (it may have been forged or misrouted by whoever relayed it), so nobody is blamed and the party's
/// state is unchanged.
/// </summary>
public sealed class MessageRejectedException(RejectionReason reason, string detail)
    : Exception($"message rejected ({reason}): {detail}")
{
    /// <summary>Why the message was refused.</summary>
    public RejectionReason Reason { get; } = reason;
}
