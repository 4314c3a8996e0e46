using Google.Protobuf;
using Threshold.Contracts.V1;
using Threshold.Rounds;
using Threshold.Rounds.Signing;
using AwaitedMessage = Threshold.Rounds.AwaitedMessage;
using Culprit = Threshold.Contracts.V1.Culprit;

namespace Threshold.Aggregator;

/// <summary>How a protocol run across nodes ended.</summary>
/// <param name="Completed">Whether every node completed.</param>
/// <param name="Steps">Each node's last step (results, culprits).</param>
/// <param name="Culprits">
/// The parties the aggregator's own judgement of every abort notice names (each with the signed evidence
/// that proves it, and <c>named_by</c>: the nodes that named it too). A node's word alone names nobody.
/// </param>
/// <param name="Unresponsive">
/// Nodes that failed to answer in time, could not be reached, produced messages the aggregator could not
/// route (unsigned, for another session, in another's name), or, in a run that stalled, owed the
/// earliest message anyone still waited for.
/// </param>
/// <param name="Refusing">Nodes that refused to take part (for example without the user's authorisation, or with another view of the run's configuration).</param>
public sealed record ProtocolOutcome(
    bool Completed,
    IReadOnlyDictionary<int, ProtocolStep> Steps,
    IReadOnlyList<Culprit> Culprits,
    IReadOnlyList<string> Unresponsive,
    IReadOnlyList<string> Refusing);

/// <summary>
/// Who can judge a run's abort notices: the session context for the notices of a run (from the run's
/// configuration, or for presigning from a node's public setup, which the session id authenticates).
/// Returns null when the step gives nothing to judge with.
/// </summary>
public delegate SessionContext? JudgeContext(ProtocolStep step);

/// <summary>
/// Runs one protocol session across nodes as an honest broadcast channel: starts it everywhere, then
/// routes every node's outgoing messages by the recipient the signed message names (a broadcast reaches
/// every other node, whatever the producer asked), after checking what it can of each (well formed, of
/// this session, sent in the producer's own name, and, where the payload is not sealed, signed by it).
/// Deliveries go out in batches, all nodes in parallel, each call with its own deadline, until every node
/// has completed or aborted or nothing is left to route. The aggregator then judges every abort notice
/// itself (<see cref="ComplaintJudge"/>) and, in a run that stalled, names the nodes owing the earliest
/// message anyone waits for (<see cref="StallAnalysis"/>).
/// </summary>
/// <param name="callTimeout">The deadline of each call.</param>
/// <param name="reached">Told of every node that answered a call (even with a refusal); may be null.</param>
/// <param name="unreached">Told of every node a call could not reach; may be null.</param>
public sealed class ProtocolDriver(TimeSpan callTimeout, Action<string>? reached = null, Action<string>? unreached = null)
{
    /// <summary>Runs <paramref name="request"/> on every node of <paramref name="nodes"/> (by party index).</summary>
    /// <param name="nodes">The nodes taking part, by party index.</param>
    /// <param name="request">The start request (the same for every node).</param>
    /// <param name="directory">Every node's identity key.</param>
    /// <param name="judge">The judge of the run's abort notices.</param>
    /// <param name="cancellationToken">Abandons the run.</param>
    public async Task<ProtocolOutcome> RunAsync(IReadOnlyDictionary<int, INodeClient> nodes, StartProtocolRequest request, IPartyDirectory directory, JudgeContext judge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(judge);
        var run = new Run(nodes, directory);

        var started = await Task.WhenAll(nodes.Select(async e => (Party: e.Key, Step: await CallAsync(e.Value, ct => e.Value.StartProtocolAsync(request, ct), run, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        if (run.Unresponsive.Count > 0 || run.Refusing.Count > 0)
        {
            started.Where(s => s.Step is not null).ToList().ForEach(s => run.Steps[s.Party] = s.Step!);
            return run.Finish(completed: false);
        }

        // Every node's view of the run must give one session id; nodes with another view (another setup
        // of the key) cannot take part, and are not to blame for it.
        var contexts = started.ToDictionary(s => s.Party, s => judge(s.Step!));
        var agreed = contexts.Values.Where(c => c is not null).GroupBy(c => Convert.ToHexStringLower(c!.SessionId)).OrderByDescending(g => g.Count()).FirstOrDefault();
        if (agreed is null || agreed.Count() != nodes.Count)
        {
            var majority = agreed?.Key;
            run.Refusing.AddRange(contexts.Where(e => e.Value is null || Convert.ToHexStringLower(e.Value.SessionId) != majority || agreed!.Count() * 2 <= nodes.Count).Select(e => nodes[e.Key].NodeId));
            started.ToList().ForEach(s => run.Steps[s.Party] = s.Step!);
            return run.Finish(completed: false);
        }

        run.Session = agreed.First()!;
        foreach (var (party, step) in started)
        {
            run.Record(party, step);
        }

        while (true)
        {
            var batch = run.Steps.Where(e => e.Value.Status == ProtocolStatus.Running && run.Pending[e.Key].Count > 0).Select(e => e.Key).ToList();
            if (batch.Count == 0)
            {
                break; // everyone finished, or nobody has anything to say: the run is stuck
            }

            var delivered = await Task.WhenAll(batch.Select(async p =>
            {
                var messages = run.Pending[p].ToList();
                run.Pending[p].Clear();
                var deliver = new DeliverRequest { SessionId = request.SessionId };
                deliver.Messages.AddRange(messages.Select(m => m.Routed));
                run.Delivered[p].AddRange(messages.Select(m => m.Awaited));
                return (Party: p, Step: await CallAsync(nodes[p], ct => nodes[p].DeliverAsync(deliver, ct), run, cancellationToken).ConfigureAwait(false));
            })).ConfigureAwait(false);
            foreach (var (party, step) in delivered)
            {
                run.Record(party, step);
            }

            if (run.Unresponsive.Count > 0 || run.Refusing.Count > 0)
            {
                break;
            }
        }

        var completed = run.Steps.Count == nodes.Count && run.Steps.Values.All(s => s.Status == ProtocolStatus.Completed);
        if (!completed && run.Unresponsive.Count == 0 && run.Steps.Values.Any(s => s.Status == ProtocolStatus.Running))
        {
            run.PinStall();
        }

        return run.Finish(completed);
    }

    private async Task<ProtocolStep?> CallAsync(INodeClient node, Func<CancellationToken, Task<ProtocolStep>> call, Run run, CancellationToken cancellationToken)
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
            lock (run)
            {
                run.Refusing.Add(node.NodeId);
            }
        }
        catch (Exception e) when (e is NodeCallException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (e is NodeCallException)
            {
                unreached?.Invoke(node.NodeId);
            }

            lock (run)
            {
                run.Unresponsive.Add(node.NodeId);
            }
        }

        return null;
    }

    /// <summary>One run's bookkeeping: steps, what is pending and delivered, who misbehaved as a router sees it.</summary>
    private sealed class Run(IReadOnlyDictionary<int, INodeClient> nodes, IPartyDirectory directory)
    {
        private readonly Dictionary<string, RoundMessage> notices = [];

        public Dictionary<int, ProtocolStep> Steps { get; } = [];

        public Dictionary<int, List<(RoutedMessage Routed, AwaitedMessage Awaited)>> Pending { get; } = nodes.Keys.ToDictionary(p => p, _ => new List<(RoutedMessage, AwaitedMessage)>());

        public Dictionary<int, List<AwaitedMessage>> Delivered { get; } = nodes.Keys.ToDictionary(p => p, _ => new List<AwaitedMessage>());

        public List<string> Unresponsive { get; } = [];

        public List<string> Refusing { get; } = [];

        /// <summary>Nodes whose output the router could not route (its own finding).</summary>
        public HashSet<int> Unroutable { get; } = [];

        public SessionContext? Session { get; set; }

        /// <summary>Keeps a step and queues what its node sent, each message to the recipients it names.</summary>
        public void Record(int producer, ProtocolStep? step)
        {
            if (step is null)
            {
                return;
            }

            Steps[producer] = step;
            if (step.AbortNotice.Length > 0)
            {
                Keep(step.AbortNotice.Span);
            }

            foreach (var routed in step.Outgoing)
            {
                RoundMessage message;
                try
                {
                    message = RoundMessage.Decode(routed.Message.Span);
                }
                catch (DecodingException)
                {
                    Unroutable.Add(producer);
                    continue;
                }

                // In its own name (an abort notice may be relayed), of this session, to a participant; signed
                // where the aggregator can see what was signed (a direct payload travels sealed).
                var genuine = (message.IsAbort || message.Sender == producer)
                    && message.Protocol == Session!.Protocol && message.SessionId.AsSpan().SequenceEqual(Session.SessionId)
                    && nodes.ContainsKey(message.Sender) && (message.Recipient is not { } to || (nodes.ContainsKey(to) && to != message.Sender))
                    && (message.Recipient is not null || message.SignatureVerifies(directory));
                if (!genuine)
                {
                    Unroutable.Add(producer);
                    continue;
                }

                if (message.IsAbort)
                {
                    Keep(routed.Message.Span);
                }

                var copy = new RoutedMessage { From = (uint)producer, To = (uint)(message.Recipient ?? 0), Message = routed.Message };
                var awaited = new AwaitedMessage(message.Round, message.Sender, message.IsBroadcast);
                var recipients = message.Recipient is { } r ? [r] : nodes.Keys.Where(p => p != producer && p != message.Sender);
                foreach (var recipient in recipients)
                {
                    Pending[recipient].Add((copy, awaited));
                }
            }
        }

        /// <summary>Names whoever holds up a stalled run: the nodes it could not route, and those owing the earliest awaited message.</summary>
        public void PinStall()
        {
            var awaiting = Steps.Where(e => e.Value.Status == ProtocolStatus.Running).ToDictionary(
                e => e.Key,
                e => (IReadOnlyList<AwaitedMessage>)[.. e.Value.Awaiting.Select(a => new AwaitedMessage((int)a.Round, (int)a.Sender, a.Broadcast))]);
            var refused = Steps.ToDictionary(e => e.Key, e => e.Value.Refusals.Select(r => new AwaitedMessage((int)r.Round, (int)r.Sender, r.Broadcast)).ToHashSet());
            var culprits = StallAnalysis.Culprits(
                awaiting,
                (waiting, m) => Delivered[waiting].Contains(m) && !refused[waiting].Contains(m),
                Unroutable);
            Unresponsive.AddRange(culprits.Where(nodes.ContainsKey).Select(p => nodes[p].NodeId));
        }

        /// <summary>The outcome, with every abort notice judged by the aggregator itself.</summary>
        public ProtocolOutcome Finish(bool completed)
        {
            Unresponsive.AddRange(Unroutable.Select(p => nodes[p].NodeId));
            var culprits = new Dictionary<int, Culprit>();
            foreach (var notice in notices.Values)
            {
                var context = Session is { } s && notice.SessionId.AsSpan().SequenceEqual(s.SessionId) ? s : null;
                if (context is null || !context.IsGenuine(notice))
                {
                    continue;
                }

                foreach (var named in ComplaintJudge.Judge(context, notice).Where(c => nodes.ContainsKey(c.Party)))
                {
                    if (!culprits.ContainsKey(named.Party))
                    {
                        var culprit = new Culprit { NodeId = nodes[named.Party].NodeId, Party = (uint)named.Party, Check = named.Check, Reason = named.Reason };
                        culprit.Evidence.AddRange(named.Evidence.Select(e => ByteString.CopyFrom(e.Encode())));
                        culprits[named.Party] = culprit;
                    }
                }
            }

            foreach (var culprit in culprits.Values)
            {
                culprit.NamedBy.AddRange(Steps.Where(e => e.Value.Culprits.Any(c => c.Party == culprit.Party)).Select(e => nodes[e.Key].NodeId).Order(StringComparer.Ordinal));
            }

            return new ProtocolOutcome(completed, Steps, [.. culprits.Values.OrderBy(c => c.Party)], Unresponsive.Distinct().ToList(), Refusing.Distinct().ToList());
        }

        private void Keep(ReadOnlySpan<byte> encoded)
        {
            try
            {
                var notice = RoundMessage.Decode(encoded);
                if (notice.IsAbort)
                {
                    notices.TryAdd(Convert.ToHexStringLower(notice.Digest()), notice);
                }
            }
            catch (DecodingException)
            {
                // A notice that does not decode proves nothing; the node that sent it is not routed either.
            }
        }
    }
}
