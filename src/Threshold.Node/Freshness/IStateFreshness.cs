using Threshold.Contracts;
using Threshold.Contracts.V1;

namespace Threshold.Node.Freshness;

/// <summary>
/// Keeps the node's state version witnessed outside the node, so that a database restored from an older
/// copy is refused at start-up instead of serving state that was already used up (a presignature that
/// signed once must never sign again: two messages signed with one presignature give away the key share).
/// </summary>
/// <remarks>
/// The rule every irreversible output follows: first change the store (take the presignature, record the
/// session id), then call <see cref="PublishBeforeIrreversibleOutputAsync"/>, and only when it returns let
/// the output leave the node. If the call throws, nothing may leave; the store change stays (a taken
/// presignature is never put back). One line at the call site:
/// <code>await freshness.PublishBeforeIrreversibleOutputAsync(cancellationToken);</code>
/// </remarks>
public interface IStateFreshness
{
    /// <summary>
    /// Publishes the store's current state version to the consensus store and returns once it is durable
    /// there (or once a publication of that version or a later one already is). Concurrent callers are
    /// served in order and share publications, so a caller never publishes a version lower than one
    /// already published.
    /// </summary>
    /// <exception cref="ThresholdException">
    /// <see cref="ErrorCode.Unavailable"/>: the consensus store (or the node's own store) cannot be
    /// reached; retry later. <see cref="ErrorCode.FailedPrecondition"/>: the consensus store already
    /// holds a higher version for this node (another instance runs on a copy of its database, or the
    /// database went back while the node ran); the node stays fenced until an operator restarts it.
    /// Either way the caller must not produce its output.
    /// </exception>
    /// <exception cref="OperationCanceledException">The caller gave up; the output must not leave either.</exception>
    Task PublishBeforeIrreversibleOutputAsync(CancellationToken cancellationToken);

    /// <summary>Whether publication currently works, and since when.</summary>
    FreshnessStatus Status { get; }

    /// <summary>Raised once per change of <see cref="FreshnessStatus.State"/> (not once per failed attempt).</summary>
    event Action<FreshnessStatus>? StatusChanged;
}

/// <summary>Where publication of the state version stands.</summary>
public enum FreshnessState
{
    /// <summary>The last attempt succeeded (or nothing was attempted yet, or there is no consensus store).</summary>
    Current,

    /// <summary>The last attempt failed: the node refuses irreversible outputs until one succeeds.</summary>
    Failing,

    /// <summary>The consensus store holds a higher version than this node's store: refused for good (until restarted).</summary>
    Fenced,
}

/// <summary>A snapshot of publication's state.</summary>
/// <param name="State">Current, failing or fenced.</param>
/// <param name="Since">When the state began.</param>
/// <param name="PublishedVersion">The highest version known to be durable in the consensus store; −1 before the first publication.</param>
/// <param name="Reason">Why it is failing or fenced (an exception type and message, never a secret); empty when current.</param>
/// <param name="FailedAttempts">Failed attempts since the last success.</param>
public sealed record FreshnessStatus(FreshnessState State, DateTimeOffset Since, long PublishedVersion, string Reason, int FailedAttempts)
{
    /// <summary>Whether the node may produce irreversible outputs (as far as the last attempt tells).</summary>
    public bool IsHealthy => State == FreshnessState.Current;
}

/// <summary>
/// No consensus store is configured (the embedded demo cluster, one process): nothing outside the node
/// can witness its state, so there is nothing to publish and every call returns at once. A database
/// restored from a copy is then not detected; only use it where the node's store lives and dies with
/// the process (in memory) or where rollback is not in the threat model.
/// </summary>
public sealed class NoStateFreshness : IStateFreshness
{
    /// <summary>The one instance.</summary>
    public static NoStateFreshness Instance { get; } = new();

    private NoStateFreshness()
    {
    }

    /// <inheritdoc />
    public FreshnessStatus Status { get; } = new(FreshnessState.Current, DateTimeOffset.UnixEpoch, -1, "", 0);

    /// <inheritdoc />
    public event Action<FreshnessStatus>? StatusChanged
    {
        add { }
        remove { }
    }

    /// <inheritdoc />
    public Task PublishBeforeIrreversibleOutputAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
