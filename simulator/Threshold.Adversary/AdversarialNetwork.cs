using Threshold.Rounds;

namespace Threshold.Adversary;

/// <summary>A message a recipient refused, with the party that produced it (not necessarily its claimed sender).</summary>
/// <param name="Producer">The party whose output it was.</param>
/// <param name="Recipient">Who refused it.</param>
/// <param name="Reason">Why.</param>
public sealed record Refusal(int Producer, int Recipient, RejectionReason Reason);

/// <summary>How an adversarial run ended: the parties, the refusals, and what each party waits for.</summary>
/// <typeparam name="T">The protocol's output.</typeparam>
/// <param name="Parties">Every party, in its final state.</param>
/// <param name="Refusals">Messages recipients refused.</param>
/// <param name="Delivered">Messages delivered and accepted: (recipient, round, claimed sender, broadcast).</param>
public sealed record AdversarialRun<T>(IReadOnlyList<Party<T>> Parties, IReadOnlyList<Refusal> Refusals, IReadOnlySet<(int Recipient, int Round, int Sender, bool Broadcast)> Delivered);

/// <summary>
/// Runs every party of a protocol in one process, as an honest router would: each message a party
/// produces reaches its recipients (broadcasts every other party), in an order drawn from a seeded
/// generator. Messages produced by malicious parties go through the <see cref="Adversary"/> first,
/// which may alter, multiply, withhold or add to them; every message a malicious party receives is
/// shown to the adversary.
/// </summary>
public static class AdversarialNetwork
{
    /// <summary>Delivers until nothing is in flight (or <paramref name="maxDeliveries"/> is reached).</summary>
    public static AdversarialRun<T> Run<T>(IReadOnlyList<Party<T>> parties, Adversary adversary, Random schedule, int maxDeliveries = 100_000)
    {
        ArgumentNullException.ThrowIfNull(parties);
        ArgumentNullException.ThrowIfNull(adversary);
        ArgumentNullException.ThrowIfNull(schedule);
        var byIndex = parties.ToDictionary(p => p.Index);
        var pending = new List<(int Producer, int Recipient, RoundMessage Message)>();
        var refusals = new List<Refusal>();
        var delivered = new HashSet<(int, int, int, bool)>();

        void Post(int producer, IEnumerable<RoundMessage> messages)
        {
            foreach (var m in messages)
            {
                var recipients = m.Recipient is { } r ? [r] : parties.Select(p => p.Index).Where(p => p != producer && p != m.Sender).ToList();
                foreach (var recipient in recipients)
                {
                    var outgoing = adversary.IsMalicious(producer) ? adversary.Transform(producer, m, recipient) : [(recipient, m)];
                    pending.AddRange(outgoing.Select(o => (producer, o.Recipient, o.Message)));
                }
            }
        }

        foreach (var party in parties)
        {
            Post(party.Index, party.Start());
        }

        for (var steps = 0; pending.Count > 0 && steps < maxDeliveries; steps++)
        {
            var at = schedule.Next(pending.Count);
            var (producer, to, message) = pending[at];
            pending.RemoveAt(at);
            if (!byIndex.TryGetValue(to, out var recipient))
            {
                continue;
            }

            if (adversary.IsMalicious(to))
            {
                adversary.Observe(message);
            }

            try
            {
                Post(to, recipient.Deliver(message));
                delivered.Add((to, message.Round, message.Sender, message.IsBroadcast));
            }
            catch (MessageRejectedException e)
            {
                refusals.Add(new Refusal(producer, to, e.Reason));
            }
        }

        return new AdversarialRun<T>(parties, refusals, delivered);
    }
}
