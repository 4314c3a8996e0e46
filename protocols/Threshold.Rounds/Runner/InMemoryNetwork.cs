using System.Diagnostics;
using Threshold.Rounds.Signing;

namespace Threshold.Rounds.Runner;

/// <summary>What a message became on its way to one recipient.</summary>
/// <param name="message">The message as sent.</param>
/// <param name="recipient">Who it is being delivered to (broadcasts are delivered to each party separately).</param>
/// <returns>The message to deliver instead, or null to drop it.</returns>
public delegate RoundMessage? Interceptor(RoundMessage message, int recipient);

/// <summary>A message a party refused (not a blame: the envelope was unacceptable).</summary>
public sealed record Rejection(int Recipient, RoundMessage Message, RejectionReason Reason);

/// <summary>How a run went: every party's final state, refusals, and per-party compute time.</summary>
/// <typeparam name="TResult">The protocol's output.</typeparam>
public sealed record RunReport<TResult>(
    IReadOnlyList<Party<TResult>> Parties,
    IReadOnlyList<Rejection> Rejections,
    IReadOnlyDictionary<int, TimeSpan> ComputeTime)
{
    /// <summary>Whether every party completed.</summary>
    public bool AllCompleted => Parties.All(p => p.Status == PartyStatus.Completed);

    /// <summary>The party with index <paramref name="index"/>.</summary>
    public Party<TResult> Party(int index) => Parties.Single(p => p.Index == index);
}

/// <summary>
/// Runs every party of a protocol in one process, delivering messages in FIFO order (broadcasts to
/// each other party separately). An <see cref="Interceptor"/> may replace or drop any message on its way
/// to any recipient: that is how tests make one party misbehave (use <see cref="Tamper"/> to re-sign
/// a forged message with the misbehaving party's own key).
/// </summary>
public static class InMemoryNetwork
{
    /// <summary>Runs the parties until no message is in flight.</summary>
    public static RunReport<TResult> Run<TResult>(IReadOnlyList<Party<TResult>> parties, Interceptor? interceptor = null)
    {
        ArgumentNullException.ThrowIfNull(parties);
        var byIndex = parties.ToDictionary(p => p.Index);
        var compute = parties.ToDictionary(p => p.Index, _ => TimeSpan.Zero);
        var rejections = new List<Rejection>();
        var queue = new Queue<(int Recipient, RoundMessage Message)>();

        void Post(int producer, IEnumerable<RoundMessage> messages)
        {
            foreach (var m in messages)
            {
                if (m.Recipient is { } r)
                {
                    queue.Enqueue((r, m));
                }
                else
                {
                    foreach (var p in parties.Where(p => p.Index != m.Sender && p.Index != producer))
                    {
                        queue.Enqueue((p.Index, m));
                    }
                }
            }
        }

        foreach (var party in parties)
        {
            var watch = Stopwatch.StartNew();
            var first = party.Start();
            compute[party.Index] += watch.Elapsed;
            Post(party.Index, first);
        }

        while (queue.TryDequeue(out var item))
        {
            var message = interceptor is null ? item.Message : interceptor(item.Message, item.Recipient);
            if (message is null || !byIndex.TryGetValue(item.Recipient, out var recipient))
            {
                continue;
            }

            var watch = Stopwatch.StartNew();
            try
            {
                var produced = recipient.Deliver(message);
                compute[item.Recipient] += watch.Elapsed;
                Post(item.Recipient, produced);
            }
            catch (MessageRejectedException e)
            {
                compute[item.Recipient] += watch.Elapsed;
                rejections.Add(new Rejection(item.Recipient, message, e.Reason));
            }
        }

        return new RunReport<TResult>(parties, rejections, compute);
    }
}

/// <summary>Helpers for misbehaving parties in tests and the simulator.</summary>
public static class Tamper
{
    /// <summary>
    /// The same message with a different payload, validly signed by <paramref name="signer"/> (the
    /// misbehaving sender's own key): what a malicious party can really send.
    /// </summary>
    public static RoundMessage Resign(RoundMessage message, byte[] payload, IMessageSigner signer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(signer);
        var unsigned = message with { Payload = payload, Signature = [] };
        return unsigned with { Signature = signer.Sign(unsigned.Digest()) };
    }

    /// <summary>The same message with a different echo list, re-signed by <paramref name="signer"/>.</summary>
    public static RoundMessage ResignEcho(RoundMessage message, IReadOnlyList<EchoEntry> echo, IMessageSigner signer)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(signer);
        var unsigned = message with { Echo = echo, Signature = [] };
        return unsigned with { Signature = signer.Sign(unsigned.Digest()) };
    }
}
