using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator;

/// <summary>One node as the aggregator last found it.</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Party">Its party index.</param>
/// <param name="Reachable">Whether its last probe (or call) got an answer from the node the cluster file describes.</param>
/// <param name="Since">When it became (un)reachable.</param>
/// <param name="Reason">Why it is unreachable (the transport's error, a timeout, a different identity); empty when reachable.</param>
/// <param name="FailedProbes">Failed probes since it was last reached.</param>
public sealed record NodeReachabilityStatus(string NodeId, int Party, bool Reachable, DateTimeOffset Since, string Reason, int FailedProbes);

/// <summary>
/// Which nodes the aggregator can reach. The nodes themselves (ids, parties, keys) come from the
/// configuration, not from calls, so the aggregator starts and describes the whole cluster while some
/// nodes are down. Each node is probed (GetNodeInfo, checked against its configured keys) in the
/// background: every <c>interval</c> while reachable, and after 1 s, 2 s, 4 s … up to
/// <see cref="MaxBackoff"/> while not. A call that gets an answer marks its node reachable at once; a
/// call that cannot reach it asks for an early probe. Changes are logged once each.
/// </summary>
public sealed class NodeReachability : IAsyncDisposable
{
    /// <summary>The longest wait between two probes of an unreachable node.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private const string WrongIdentity = "it answers with other keys than the cluster file gives";
    private const string NotProbed = "not probed yet";

    private readonly Dictionary<string, Tracked> nodes;
    private readonly TimeSpan interval;
    private readonly TimeSpan timeout;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<Task> loops = [];

    /// <summary>Tracks <paramref name="nodes"/>, each with the descriptor it must answer with.</summary>
    /// <param name="nodes">Each node's client and its configured description.</param>
    /// <param name="interval">How often a reachable node is probed.</param>
    /// <param name="timeout">How long one probe may take.</param>
    /// <param name="time">The clock of the waits and timestamps.</param>
    /// <param name="logger">Where changes are logged.</param>
    public NodeReachability(IEnumerable<(INodeClient Client, NodeDescriptor Expected)> nodes, TimeSpan interval, TimeSpan timeout, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        this.time = time ?? TimeProvider.System;
        this.nodes = nodes.ToDictionary(n => n.Client.NodeId, n => new Tracked(n.Client, n.Expected, new NodeReachabilityStatus(n.Client.NodeId, (int)n.Expected.Party, false, this.time.GetUtcNow(), NotProbed, 0)), StringComparer.Ordinal);
        this.interval = interval;
        this.timeout = timeout;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised once per change of a node's reachability.</summary>
    public event Action<NodeReachabilityStatus>? Changed;

    /// <summary>Every node's status, by party.</summary>
    public IReadOnlyList<NodeReachabilityStatus> Statuses => [.. nodes.Values.Select(n => n.Status).OrderBy(s => s.Party)];

    /// <summary>The wait after <paramref name="failures"/> consecutive failed probes: 1 s doubling, at most <see cref="MaxBackoff"/>.</summary>
    public static TimeSpan Backoff(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        return TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Min(failures - 1, 16)), MaxBackoff.TotalSeconds));
    }

    /// <summary>Whether <paramref name="nodeId"/> is reachable now.</summary>
    public bool IsReachable(string nodeId) => nodes.TryGetValue(nodeId, out var node) && node.Status.Reachable;

    /// <summary>Probes every node once, in parallel (each bounded by the probe timeout), then keeps probing in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(nodes.Values.Select(n => ProbeAsync(n, cancellationToken))).ConfigureAwait(false);
        lock (loops)
        {
            if (loops.Count == 0)
            {
                loops.AddRange(nodes.Values.Select(n => Task.Run(() => LoopAsync(n))));
            }
        }
    }

    /// <summary>Asks for an early probe of <paramref name="nodeId"/> (a call to it could not reach it).</summary>
    public void ProbeSoon(string nodeId)
    {
        if (nodes.TryGetValue(nodeId, out var node))
        {
            node.Wake();
        }
    }

    /// <summary>Asks for an early probe of every node.</summary>
    public void ProbeAllSoon()
    {
        foreach (var node in nodes.Values)
        {
            node.Wake();
        }
    }

    /// <summary>A call to <paramref name="nodeId"/> got an answer: it is reachable.</summary>
    public void Reached(string nodeId)
    {
        if (nodes.TryGetValue(nodeId, out var node) && !node.Status.Reachable && node.Status.Reason != WrongIdentity)
        {
            Update(node, reachable: true, "");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (loops)
        {
            running = [.. loops];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        stopping.Dispose();
    }

    private async Task LoopAsync(Tracked node)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var status = node.Status;
                var wait = status.Reachable ? interval : Backoff(Math.Max(1, status.FailedProbes));
                var woken = node.WakeSignal;
                using (var delay = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token))
                {
                    var timer = Task.Delay(wait, time, delay.Token);
                    await Task.WhenAny(timer, woken).ConfigureAwait(false);
                    await delay.CancelAsync().ConfigureAwait(false);
                }

                stopping.Token.ThrowIfCancellationRequested();
                node.ResetWake(woken);
                await ProbeAsync(node, stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task ProbeAsync(Tracked node, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var info = await node.Client.GetNodeInfoAsync(deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
            var expected = node.Expected;
            var same = info.NodeId == expected.NodeId && info.Party == expected.Party && info.IdentityKey == expected.IdentityKey
                && info.AgreementKey == expected.AgreementKey && (expected.OpaqueServerKey.IsEmpty || info.OpaqueServerKey == expected.OpaqueServerKey);
            Update(node, same, same ? "" : WrongIdentity);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            Update(node, reachable: false, $"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Update(node, reachable: false, e is NodeCallException call ? call.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    private void Update(Tracked node, bool reachable, string reason)
    {
        NodeReachabilityStatus? changed = null;
        lock (node)
        {
            var old = node.Status;
            if (old.Reachable == reachable && old.Reason != NotProbed)
            {
                node.Status = reachable ? old : old with { FailedProbes = old.FailedProbes + 1, Reason = reason };
                return;
            }

            changed = node.Status = new NodeReachabilityStatus(old.NodeId, old.Party, reachable, time.GetUtcNow(), reason, reachable ? 0 : old.FailedProbes + 1);
            if (reachable)
            {
                AggregatorLog.NodeReachable(logger, old.NodeId, old.Party, old.FailedProbes);
            }
            else if (reason == WrongIdentity)
            {
                AggregatorLog.NodeImpostor(logger, old.NodeId, old.Party);
            }
            else
            {
                AggregatorLog.NodeUnreachable(logger, old.NodeId, old.Party, reason);
            }
        }

        Changed?.Invoke(changed);
    }

    private sealed class Tracked(INodeClient client, NodeDescriptor expected, NodeReachabilityStatus status)
    {
        private TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public INodeClient Client { get; } = client;

        public NodeDescriptor Expected { get; } = expected;

        public NodeReachabilityStatus Status { get; set; } = status;

        public Task WakeSignal => Volatile.Read(ref wake).Task;

        public void Wake() => Volatile.Read(ref wake).TrySetResult();

        /// <summary>Arms a new signal if <paramref name="seen"/> fired (a wake that comes later is kept).</summary>
        public void ResetWake(Task seen)
        {
            if (seen.IsCompleted)
            {
                var current = Volatile.Read(ref wake);
                if (current.Task == seen)
                {
                    Interlocked.CompareExchange(ref wake, new(TaskCreationOptions.RunContinuationsAsynchronously), current);
                }
            }
        }
    }
}
