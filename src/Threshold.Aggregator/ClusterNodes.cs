using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Threshold.Contracts;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator;

/// <summary>
/// The cluster's nodes as the aggregator's parts reach them: each node's client by party and id, which
/// are reachable, and the fan-out every wallet call uses (each node with its deadline, a quorum with a
/// short grace for the rest, hung nodes not waited for).
/// </summary>
internal sealed class ClusterNodes(AggregatorOptions options, ILogger logger) : IAsyncDisposable
{
    private Dictionary<int, INodeClient> byParty = [];
    private Dictionary<string, int> partyOf = [];
    private NodeReachability? reachability;

    /// <summary>The least a quorum call waits for nodes beyond the quorum.</summary>
    internal static readonly TimeSpan MinGrace = TimeSpan.FromMilliseconds(25);

    /// <summary>The most a quorum call waits for nodes beyond the quorum (a login waits up to four times as long: it wants every node it can get).</summary>
    internal static readonly TimeSpan MaxGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>t.</summary>
    public int Threshold => options.Threshold;

    /// <summary>n.</summary>
    public int Count => options.Nodes.Count;

    /// <summary>Every node by party index.</summary>
    public IReadOnlyDictionary<int, INodeClient> ByParty => byParty;

    /// <summary>Every node's party index by node id.</summary>
    public IReadOnlyDictionary<string, int> PartyOf => partyOf;

    /// <summary>Which nodes are reachable (after <see cref="StartAsync"/>).</summary>
    public NodeReachability Reachability => reachability ?? throw new InvalidOperationException("not initialised");

    /// <summary>Whether <see cref="StartAsync"/> has run.</summary>
    public bool Started => reachability is not null;

    /// <summary>Binds every configured member to its client and starts probing them.</summary>
    public async Task StartAsync(IReadOnlyList<NodeDescriptor> members, CancellationToken cancellationToken)
    {
        var clients = options.Nodes.ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        byParty = members.ToDictionary(m => (int)m.Party, m => clients[m.NodeId]);
        partyOf = members.ToDictionary(m => m.NodeId, m => (int)m.Party);
        reachability = new NodeReachability(members.Select(m => (clients[m.NodeId], m)), options.ProbeInterval, options.ProbeTimeout, options.Time, logger);
        await reachability.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether the node answered its last probe or call (true before probing starts).</summary>
    public bool IsReachable(string nodeId) => reachability?.IsReachable(nodeId) ?? true;

    /// <summary>The parties whose node answered its last probe or call.</summary>
    public List<int> ReachableParties() => [.. byParty.Where(e => IsReachable(e.Value.NodeId)).Select(e => e.Key)];

    /// <summary>The node answered (a reply or a refusal).</summary>
    public void Reached(string nodeId) => reachability?.Reached(nodeId);

    /// <summary>The node did not answer: probe it again soon.</summary>
    public void Unreached(string nodeId) => reachability?.ProbeSoon(nodeId);

    /// <summary>
    /// Items addressed to nodes of the cluster, each node at most once.
    /// </summary>
    /// <exception cref="ThresholdException">An unknown or repeated node.</exception>
    public IEnumerable<(string NodeId, T Item)> Known<T>(IEnumerable<(string NodeId, T Item)> items)
    {
        var seen = new HashSet<string>();
        foreach (var (nodeId, item) in items)
        {
            if (!partyOf.ContainsKey(nodeId) || !seen.Add(nodeId))
            {
                throw new ThresholdException(ErrorCode.InvalidArgument, $"unknown or repeated node '{nodeId}'");
            }

            yield return (nodeId, item);
        }
    }

    /// <summary>One item per cluster node: missing or unknown nodes are refused.</summary>
    public Dictionary<string, T> EveryNode<T>(IEnumerable<(string NodeId, T Item)> items)
    {
        var known = Known(items).ToDictionary(x => x.NodeId, x => x.Item);
        if (known.Count != Count)
        {
            throw new ThresholdException(ErrorCode.InvalidArgument, "every node of the cluster must be included exactly once");
        }

        return known;
    }

    /// <summary>Calls every node; any failure fails the whole request.</summary>
    public async Task<Dictionary<string, TResult>> AllAsync<T, TResult>(Dictionary<string, T> perNode, Func<INodeClient, T, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TResult : class
    {
        var outcomes = await EachAsync(perNode.Select(e => (e.Key, e.Value)), call, cancellationToken, throwOnFailure: true).ConfigureAwait(false);
        return outcomes.ToDictionary(e => e.Key, e => e.Value!);
    }

    /// <summary>
    /// Calls each node with its deadline; a failing node maps to null (or throws when asked to), and its
    /// error goes to <paramref name="errors"/> (null: it timed out, or was not waited for). With a
    /// <paramref name="quorum"/>, the call returns once that many nodes have answered, after a short grace
    /// for the rest (twice the time the quorum took, within <see cref="MinGrace"/> and <see cref="MaxGrace"/>,
    /// both stretched by <paramref name="graceFactor"/>), and nodes the probes found unreachable are not
    /// asked while enough others are: one hung node does not hold everyone up. With a
    /// <paramref name="sessionQuorum"/>, a request that too many nodes refuse for want of a session fails
    /// as <see cref="ErrorCode.Unauthenticated"/>, so the wallet learns to log in again.
    /// </summary>
    public async Task<Dictionary<string, TResult?>> EachAsync<T, TResult>(
        IEnumerable<(string NodeId, T Item)> items,
        Func<INodeClient, T, CancellationToken, Task<TResult>> call,
        CancellationToken cancellationToken,
        bool throwOnFailure = false,
        int? sessionQuorum = null,
        Dictionary<string, NodeCallException?>? errors = null,
        int? quorum = null,
        int graceFactor = 1)
        where TResult : class
    {
        using var stragglers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = Stopwatch.StartNew();
        var list = items.ToList();

        // With a quorum to reach, nodes that failed at least two probes in a row are not even asked, while
        // enough others are (a node that just failed one probe, or is starting, still gets its grace).
        var down = reachability?.Statuses.Where(st => !st.Reachable && st.FailedProbes >= 2).Select(st => st.NodeId).ToHashSet() ?? [];
        var skipped = quorum is { } q && list.Count(x => !down.Contains(x.NodeId)) >= q
            ? list.Where(x => down.Contains(x.NodeId)).Select(x => x.NodeId).ToHashSet()
            : [];
        var tasks = list.Select(async x =>
        {
            if (skipped.Contains(x.NodeId))
            {
                return (x.NodeId, Result: (TResult?)null, Error: (Exception?)new NodeCallException(x.NodeId, null, unavailable: true, "unreachable at the last probe"));
            }

            try
            {
                var (result, error) = await CallAsync(byParty[partyOf[x.NodeId]], (node, ct) => call(node, x.Item, ct), stragglers.Token).ConfigureAwait(false);
                return (x.NodeId, Result: result, Error: error);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                return (x.NodeId, Result: (TResult?)null, Error: (Exception?)e); // a straggler not waited for
            }
        }).ToList();
        if (quorum is { } needed)
        {
            var remaining = tasks.ToList();
            var answered = 0;
            while (remaining.Count > 0 && answered < needed)
            {
                var done = await Task.WhenAny(remaining).ConfigureAwait(false);
                remaining.Remove(done);
                answered += (await done.ConfigureAwait(false)).Error is null ? 1 : 0;
            }

            var grace = TimeSpan.FromTicks(Math.Clamp(2 * graceFactor * watch.Elapsed.Ticks, MinGrace.Ticks, graceFactor * MaxGrace.Ticks));
            try
            {
                await Task.WhenAll(remaining).WaitAsync(grace, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await stragglers.CancelAsync().ConfigureAwait(false); // the rest are not waited for
            }
        }

        var results = await Task.WhenAll(tasks).ConfigureAwait(false);
        foreach (var failed in results.Where(r => r.Error is not null))
        {
            errors?.Add(failed.NodeId, failed.Error as NodeCallException);
        }

        var sessionless = results.Where(r => r.Error is NodeCallException { Code: ErrorCode.Unauthenticated }).Select(r => r.NodeId).ToList();
        if (sessionless.Count > 0 && (throwOnFailure || results.Length - sessionless.Count < sessionQuorum))
        {
            throw Sessionless(sessionless);
        }

        if (throwOnFailure && results.FirstOrDefault(r => r.Error is not null) is { Error: { } error } failedNode)
        {
            throw error is NodeCallException { Unavailable: false, Code: var kind } refused
                ? new ThresholdException(kind == ErrorCode.PermissionDenied ? ErrorCode.PermissionDenied : ErrorCode.InvalidArgument, refused.Message)
                : new ThresholdException(ErrorCode.Unavailable, $"node {failedNode.NodeId} is unavailable");
        }

        return results.ToDictionary(r => r.NodeId, r => r.Result);
    }

    /// <summary>
    /// One call to one node within the call deadline, its outcome recorded in the node's reachability: a
    /// reply or a refusal means it is there, an unreachable node is probed again soon (one that merely
    /// ran out of time is left to its probes). Returns the reply or the error (a refusal, or a cancellation when it did not answer in time).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<(TResult? Result, Exception? Error)> CallAsync<TResult>(INodeClient node, Func<INodeClient, CancellationToken, Task<TResult>> call, CancellationToken cancellationToken)
        where TResult : class
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.CallTimeout);
        try
        {
            var result = await call(node, deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
            Reached(node.NodeId);
            return (result, null);
        }
        catch (Exception e) when (e is NodeCallException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (e is NodeCallException { Unavailable: true })
            {
                Unreached(node.NodeId);
            }
            else if (e is NodeCallException)
            {
                Reached(node.NodeId); // it answered, with a refusal
            }

            return (null, e);
        }
    }

    /// <summary>The refusal a wallet gets when too many nodes know no session for its request.</summary>
    public static ThresholdException Sessionless(IEnumerable<string> nodes) =>
        new(ErrorCode.Unauthenticated, $"no open session at {string.Join(", ", nodes.Order(StringComparer.Ordinal))}: it expired or was closed; log in again");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (reachability is not null)
        {
            await reachability.DisposeAsync().ConfigureAwait(false);
        }
    }
}
