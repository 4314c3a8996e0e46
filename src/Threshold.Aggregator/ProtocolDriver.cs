using Threshold.Contracts.V1;

namespace Threshold.Aggregator;

/// <summary>How a protocol run across nodes ended.</summary>
/// <param name="Completed">Whether every node completed.</param>
/// <param name="Steps">Each node's last step (results, culprits).</param>
/// <param name="Culprits">Every culprit any node named, once per node and check.</param>
/// <param name="Unresponsive">Nodes that failed to answer in time or could not be reached.</param>
/// <param name="Refusing">Nodes that refused to take part (for example without the user's authorisation).</param>
public sealed record ProtocolOutcome(
    bool Completed,
    IReadOnlyDictionary<int, ProtocolStep> Steps,
    IReadOnlyList<Culprit> Culprits,
    IReadOnlyList<string> Unresponsive,
    IReadOnlyList<string> Refusing);

/// <summary>
/// Runs one protocol session across nodes: starts it everywhere, then routes every node's outgoing
/// messages (broadcasts to all others, direct ones to their recipient) and delivers them in batches,
/// all nodes in parallel, until every node has completed or aborted or no message is left to route.
/// Each call has its own deadline; a node that misses it is reported unresponsive.
/// </summary>
/// <param name="callTimeout">The deadline of each call.</param>
/// <param name="reached">Told of every node that answered a call (even with a refusal); may be null.</param>
/// <param name="unreached">Told of every node a call could not reach; may be null.</param>
public sealed class ProtocolDriver(TimeSpan callTimeout, Action<string>? reached = null, Action<string>? unreached = null)
{
    /// <summary>Runs <paramref name="request"/> on every node of <paramref name="nodes"/> (by party index).</summary>
    public async Task<ProtocolOutcome> RunAsync(IReadOnlyDictionary<int, INodeClient> nodes, StartProtocolRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var steps = new Dictionary<int, ProtocolStep>();
        var unresponsive = new List<string>();
        var refusing = new List<string>();
        var pending = nodes.Keys.ToDictionary(p => p, _ => new List<RoutedMessage>());

        var started = await Task.WhenAll(nodes.Select(async e => (Party: e.Key, Step: await CallAsync(e.Value, ct => e.Value.StartProtocolAsync(request, ct), unresponsive, refusing, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        foreach (var (party, step) in started)
        {
            Record(party, step);
        }

        if (unresponsive.Count > 0 || refusing.Count > 0)
        {
            return Finish(completed: false);
        }

        while (true)
        {
            var running = steps.Where(e => e.Value.Status == ProtocolStatus.Running).Select(e => e.Key).ToList();
            if (running.Count == 0)
            {
                break;
            }

            var batch = running.Where(p => pending[p].Count > 0).ToList();
            if (batch.Count == 0)
            {
                break; // nobody has anything to say: the run is stuck
            }

            var delivered = await Task.WhenAll(batch.Select(async p =>
            {
                var messages = pending[p].ToList();
                pending[p].Clear();
                var deliver = new DeliverRequest { SessionId = request.SessionId };
                deliver.Messages.AddRange(messages);
                return (Party: p, Step: await CallAsync(nodes[p], ct => nodes[p].DeliverAsync(deliver, ct), unresponsive, refusing, cancellationToken).ConfigureAwait(false));
            })).ConfigureAwait(false);
            foreach (var (party, step) in delivered)
            {
                Record(party, step);
            }

            if (unresponsive.Count > 0 || refusing.Count > 0)
            {
                break;
            }
        }

        var completed = steps.Count == nodes.Count && steps.Values.All(s => s.Status == ProtocolStatus.Completed);
        if (!completed && unresponsive.Count == 0 && steps.Values.All(s => s.Status != ProtocolStatus.Aborted))
        {
            // Stuck without an abort: whoever is still running waits for someone who went quiet.
            unresponsive.AddRange(steps.Where(e => e.Value.Status == ProtocolStatus.Running).Select(e => nodes[e.Key].NodeId));
        }

        return Finish(completed);

        void Record(int party, ProtocolStep? step)
        {
            if (step is null)
            {
                return;
            }

            steps[party] = step;
            foreach (var message in step.Outgoing)
            {
                var recipients = message.To == 0 ? nodes.Keys.Where(p => p != party) : [(int)message.To];
                foreach (var r in recipients.Where(pending.ContainsKey))
                {
                    pending[r].Add(message);
                }
            }
        }

        ProtocolOutcome Finish(bool completed)
        {
            // One entry per (party, check), saying which nodes named it: a node's claim alone proves nothing.
            var culprits = steps
                .SelectMany(e => e.Value.Culprits.Select(c => (Culprit: c, By: nodes[e.Key].NodeId)))
                .GroupBy(x => (x.Culprit.Party, x.Culprit.Check))
                .Select(g =>
                {
                    var merged = g.First().Culprit.Clone();
                    merged.NamedBy.Clear();
                    merged.NamedBy.AddRange(g.Select(x => x.By).Distinct().Order(StringComparer.Ordinal));
                    return merged;
                })
                .ToList();
            return new ProtocolOutcome(completed, steps, culprits, unresponsive.Distinct().ToList(), refusing.Distinct().ToList());
        }
    }

    private async Task<ProtocolStep?> CallAsync(INodeClient node, Func<CancellationToken, Task<ProtocolStep>> call, List<string> unresponsive, List<string> refusing, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(callTimeout);
        try
        {
            var step = await call(deadline.Token).WaitAsync(deadline.Token).ConfigureAwait(false);
            reached?.Invoke(node.NodeId);
            return step;
        }
        catch (NodeCallException e) when (!e.Unavailable)
        {
            reached?.Invoke(node.NodeId);
            lock (refusing)
            {
                refusing.Add(node.NodeId);
            }
        }
        catch (Exception e) when (e is NodeCallException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (e is NodeCallException)
            {
                unreached?.Invoke(node.NodeId);
            }

            lock (unresponsive)
            {
                unresponsive.Add(node.NodeId);
            }
        }

        return null;
    }
}
