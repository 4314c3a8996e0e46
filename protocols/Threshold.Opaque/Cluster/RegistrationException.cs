// Registration failures. Unlike login failures they may say what went wrong: RFC 9807 §10.9 notes that
// the registration flow cannot hide whether an identifier is taken, so applications rate-limit it instead.
namespace Threshold.Opaque.Cluster;

/// <summary>Why a registration was refused.</summary>
public enum RegistrationFailure
{
    /// <summary>The user id is not 32 lowercase hex characters.</summary>
    MalformedUserId,

    /// <summary>The user id is already registered (or was once) at this node: ids are never reused.</summary>
    UserIdNotFresh,

    /// <summary>A message names another user than the registration it is meant to finish.</summary>
    UserMismatch,

    /// <summary>A message names another node than expected, or a node answered twice.</summary>
    NodeMismatch,

    /// <summary>A node's public key differs from the one pinned for it.</summary>
    UnexpectedServerKey,

    /// <summary>Not every node answered; registration needs all n.</summary>
    IncompleteResponses,

    /// <summary>The sealed export-key share has the wrong length.</summary>
    MalformedShare,

    /// <summary>The registration state was already finished or abandoned.</summary>
    StateConsumed,
}

/// <summary>A registration was refused, by a node or by the client; names the reason and the node.</summary>
public sealed class RegistrationException : Exception
{
    /// <summary>Creates the error.</summary>
    public RegistrationException(RegistrationFailure reason, string? nodeId)
        : base(nodeId is null ? $"registration refused: {reason}" : $"registration refused by or for node '{nodeId}': {reason}")
    {
        Reason = reason;
        NodeId = nodeId;
    }

    /// <summary>Why.</summary>
    public RegistrationFailure Reason { get; }

    /// <summary>The node concerned, when one is.</summary>
    public string? NodeId { get; }
}
