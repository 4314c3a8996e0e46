using Threshold.Contracts.V1;
using Threshold.Rpc;

namespace Threshold.Client;

/// <summary>What went wrong, for a wallet to act on.</summary>
public enum ClientErrorKind
{
    /// <summary>Registration did not complete at every node.</summary>
    RegistrationFailed,

    /// <summary>Fewer than t nodes authenticated the user (wrong password, unknown user, budget spent: all alike).</summary>
    LoginFailed,

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

    /// <summary>Culprits, unresponsive or refusing nodes, when the cluster reported them.</summary>
    public OperationFailure? Failure { get; } = failure;

    /// <summary>The SDK's error for a status the wallet API returned (see threshold.v1.Wallet).</summary>
    public static ThresholdClientException FromStatus(RpcStatusCode code, string detail) => new(
        code switch
        {
            RpcStatusCode.PermissionDenied => ClientErrorKind.Refused,
            RpcStatusCode.Unauthenticated => ClientErrorKind.NotLoggedIn,
            _ => ClientErrorKind.OperationFailed,
        },
        $"{code}: {detail}");
}
