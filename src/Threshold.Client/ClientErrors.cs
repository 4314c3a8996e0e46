using Grpc.Core;
using Threshold.Contracts;
using Threshold.Contracts.V1;

namespace Threshold.Client;

/// <summary>What went wrong, for a wallet to act on.</summary>
public enum ClientErrorKind
{
    /// <summary>Registration did not complete at every node.</summary>
    RegistrationFailed,

    /// <summary>The nodes refuted the password (wrong password and unknown user alike). The attempt was charged to the user's budget.</summary>
    LoginFailed,

    /// <summary>
    /// The user's login budget is empty: no attempt is possible until
    /// <see cref="ThresholdClientException.LockedUntil"/> (the budget refills over time, or an operator
    /// unlocks it). Distinct from <see cref="LoginFailed"/>: this attempt tested no password.
    /// </summary>
    LoginLocked,

    /// <summary>
    /// Fewer than t nodes answered (down, unreachable, or not chosen). Nodes that did answer and
    /// authenticated the password were told so, so a right password costs no attempt; retry later.
    /// </summary>
    TooFewNodes,

    /// <summary>The aggregator refused the call for now (too many calls from this client or for this user); nothing happened at any node. Retry later.</summary>
    RateLimited,

    /// <summary>No open session: log in first.</summary>
    NotLoggedIn,

    /// <summary>A node refused a request (unknown key, not the user's, expired).</summary>
    Refused,

    /// <summary>The operation did not complete; see <see cref="ThresholdClientException.Failure"/>.</summary>
    OperationFailed,

    /// <summary>The aggregator returned something the nodes did not vouch for.</summary>
    Untrusted,
}

/// <summary>A typed error from the SDK, with the cluster's failure report when there is one.</summary>
public sealed class ThresholdClientException(ClientErrorKind kind, string message, OperationFailure? failure = null) : Exception(message)
{
    /// <summary>What kind of failure.</summary>
    public ClientErrorKind Kind { get; } = kind;

    /// <summary>For <see cref="ClientErrorKind.LoginLocked"/>: when the next login attempt becomes possible.</summary>
    public DateTimeOffset? LockedUntil { get; init; }

    /// <summary>Culprits, unresponsive or refusing nodes, when the cluster reported them.</summary>
    public OperationFailure? Failure { get; } = failure;

    /// <summary>The SDK's error for a refusal of the wallet API (threshold.v1 errors.proto).</summary>
    public static ThresholdClientException From(ThresholdException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var kind = refusal.Code switch
        {
            ErrorCode.PermissionDenied or ErrorCode.NotFound => ClientErrorKind.Refused,
            ErrorCode.Unauthenticated => ClientErrorKind.NotLoggedIn,
            ErrorCode.ResourceExhausted => ClientErrorKind.RateLimited,
            ErrorCode.LoginLocked => ClientErrorKind.LoginLocked,
            _ => ClientErrorKind.OperationFailed,
        };
        return new ThresholdClientException(kind, $"{ThresholdException.StatusCodeOf(refusal.Code)}: {refusal.Message}") { LockedUntil = refusal.LockedUntil };
    }

    /// <summary>The SDK's error for a failed wallet API call: its refusal, or (none) the operation failed.</summary>
    public static ThresholdClientException From(RpcException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return ThresholdException.FromRpc(e) is { } refusal
            ? From(refusal)
            : new ThresholdClientException(ClientErrorKind.OperationFailed, $"{e.StatusCode}: {e.Status.Detail}");
    }
}
