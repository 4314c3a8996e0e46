namespace Threshold.Node;

/// <summary>The kinds of refusal a node answers with (mapped to RPC status codes by the host).</summary>
public enum NodeErrorKind
{
    /// <summary>Malformed or inconsistent input.</summary>
    InvalidArgument,

    /// <summary>Unknown, or not the caller's: the two are deliberately indistinguishable.</summary>
    NotFound,

    /// <summary>No valid authorisation from the user for this operation.</summary>
    PermissionDenied,

    /// <summary>Login refused (every credential failure alike) or the login budget is spent.</summary>
    Unauthenticated,

    /// <summary>The operation conflicts with the node's state (a reused session id, a finished session).</summary>
    FailedPrecondition,

    /// <summary>Too many attempts.</summary>
    ResourceExhausted,

    /// <summary>
    /// The user's login budget is empty until <see cref="NodeException.LockedUntil"/>. Said only after a
    /// well-formed KE1 was checked against the budget, so it tells nothing a guess would not.
    /// </summary>
    LoginLocked,
    /// <summary>The node cannot do this now for want of something outside it (the consensus store); retry later.</summary>
    Unavailable,
}

/// <summary>A node refused a request; nothing was changed. The message is short and never secret.</summary>
public sealed class NodeException(NodeErrorKind kind, string message) : Exception(message)
{
    /// <summary>What kind of refusal.</summary>
    public NodeErrorKind Kind { get; } = kind;

    /// <summary>For <see cref="NodeErrorKind.LoginLocked"/>: when the next attempt becomes available.</summary>
    public DateTimeOffset? LockedUntil { get; init; }
}
