using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Storage.Consensus;

namespace Threshold.Node.Freshness;

/// <summary>
/// Publishes the node's state version to the consensus store: synchronously before every irreversible
/// output (<see cref="PublishBeforeIrreversibleOutputAsync"/>), and in the background with a heartbeat
/// (<see cref="RefreshAsync"/>, driven by <see cref="StatePublisher"/>). All publications go through one
/// gate and read the version inside it, so they reach the consensus store in increasing order and a
/// caller whose version a later publication already covers does not publish again.
/// </summary>
/// <remarks>
/// Why before the output and not on a timer: the store commits the take of a presignature before the
/// partial signature is computed, but an operator (or an attacker with the disk) can put back a copy of
/// the database taken a moment earlier. Only a witness outside the node can tell that copy is old, and
/// only if it heard of the take before anyone heard of the signature. A timer leaves a window (kill the
/// process after it signed and before the next tick) in which the copy would start and serve the used
/// presignature again.
/// </remarks>
public sealed class StateFreshness : IStateFreshness
{
    private readonly string nodeId;
    private readonly Func<CancellationToken, Task<long>> readStateVersion;
    private readonly IConsensusStore consensus;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly TimeSpan timeout;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Lock statusLock = new();
    private long durable = -1;
    private FreshnessStatus status;

    /// <summary>Creates the component for <paramref name="nodeId"/>.</summary>
    /// <param name="nodeId">The node's id in the consensus store.</param>
    /// <param name="readStateVersion">Reads the node store's current state version (<c>IKeyStore.GetStateVersionAsync</c>).</param>
    /// <param name="consensus">Where the version is published.</param>
    /// <param name="logger">Logs changes of state (once each, not once per attempt).</param>
    /// <param name="time">Clock for the status timestamps and the deadline.</param>
    /// <param name="timeout">Deadline of one publication (reading the version and publishing it); 10 s by default.</param>
    public StateFreshness(string nodeId, Func<CancellationToken, Task<long>> readStateVersion, IConsensusStore consensus, ILogger? logger = null, TimeProvider? time = null, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        this.nodeId = nodeId;
        this.readStateVersion = readStateVersion ?? throw new ArgumentNullException(nameof(readStateVersion));
        this.consensus = consensus ?? throw new ArgumentNullException(nameof(consensus));
        this.logger = logger ?? NullLogger.Instance;
        this.time = time ?? TimeProvider.System;
        this.timeout = timeout ?? TimeSpan.FromSeconds(10);
        status = new FreshnessStatus(FreshnessState.Current, this.time.GetUtcNow(), -1, "", 0);
    }

    /// <inheritdoc />
    public event Action<FreshnessStatus>? StatusChanged;

    /// <inheritdoc />
    public FreshnessStatus Status
    {
        get
        {
            lock (statusLock)
            {
                return status;
            }
        }
    }

    /// <inheritdoc />
    public async Task PublishBeforeIrreversibleOutputAsync(CancellationToken cancellationToken)
    {
        var outcome = await PublishAsync(heartbeat: false, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case FreshnessState.Fenced:
                throw new ThresholdException(ErrorCode.FailedPrecondition, "the cluster has seen a later state of this node than its database holds; it does not sign until an operator restarts it");
            case FreshnessState.Failing:
                throw new ThresholdException(ErrorCode.Unavailable, "the node cannot publish its state version to the consensus store; it does not sign until it can");
        }
    }

    /// <summary>
    /// Publishes the current state version and a heartbeat (the background publisher's step, and the
    /// last one at a clean shutdown). Never throws for a failure, which it records in <see cref="Status"/>.
    /// </summary>
    /// <returns>Whether both reached the consensus store.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken) =>
        await PublishAsync(heartbeat: true, cancellationToken).ConfigureAwait(false) == FreshnessState.Current;

    private async Task<FreshnessState> PublishAsync(bool heartbeat, CancellationToken cancellationToken)
    {
        if (Status.State == FreshnessState.Fenced)
        {
            return FreshnessState.Fenced;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await gate.WaitAsync(deadline.Token).ConfigureAwait(false);
            try
            {
                var version = await readStateVersion(deadline.Token).ConfigureAwait(false);
                if (version > durable)
                {
                    await consensus.PublishStateVersionAsync(nodeId, version, deadline.Token).ConfigureAwait(false);
                    Volatile.Write(ref durable, version);
                }
            }
            finally
            {
                gate.Release();
            }

            if (heartbeat)
            {
                await consensus.HeartbeatAsync(nodeId, deadline.Token).ConfigureAwait(false);
            }

            Succeeded(Volatile.Read(ref durable));
            return FreshnessState.Current;
        }
        catch (StaleStateVersionException e)
        {
            Fence(e);
            return FreshnessState.Fenced;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Whatever stops publication (an unreachable store, a deadline, a storage error) stops outputs alike.
            Failed(e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : $"{e.GetType().Name}: {e.Message}");
            return FreshnessState.Failing;
        }
    }

    private void Succeeded(long published)
    {
        FreshnessStatus? changed = null;
        lock (statusLock)
        {
            if (status.State == FreshnessState.Fenced)
            {
                return;
            }

            if (status.State == FreshnessState.Failing)
            {
                NodeLog.PublicationRecovered(logger, nodeId, status.FailedAttempts, published);
                changed = status = new FreshnessStatus(FreshnessState.Current, time.GetUtcNow(), published, "", 0);
            }
            else
            {
                status = status with { PublishedVersion = published };
            }
        }

        if (changed is not null)
        {
            StatusChanged?.Invoke(changed);
        }
    }

    private void Failed(string reason)
    {
        FreshnessStatus? changed = null;
        lock (statusLock)
        {
            if (status.State == FreshnessState.Fenced)
            {
                return;
            }

            if (status.State == FreshnessState.Failing)
            {
                status = status with { FailedAttempts = status.FailedAttempts + 1, Reason = reason };
                NodeLog.PublicationStillFailing(logger, nodeId, status.FailedAttempts, reason);
            }
            else
            {
                NodeLog.PublicationFailing(logger, nodeId, reason);
                changed = status = new FreshnessStatus(FreshnessState.Failing, time.GetUtcNow(), Volatile.Read(ref durable), reason, 1);
            }
        }

        if (changed is not null)
        {
            StatusChanged?.Invoke(changed);
        }
    }

    private void Fence(StaleStateVersionException e)
    {
        FreshnessStatus changed;
        lock (statusLock)
        {
            if (status.State == FreshnessState.Fenced)
            {
                return;
            }

            NodeLog.Fenced(logger, nodeId, e.Published, e.Attempted);
            changed = status = new FreshnessStatus(FreshnessState.Fenced, time.GetUtcNow(), Volatile.Read(ref durable), e.Message, status.FailedAttempts);
        }

        StatusChanged?.Invoke(changed);
    }
}
