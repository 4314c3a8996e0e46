using Threshold.Rounds.Signing;

namespace Threshold.Rounds;

/// <summary>The public facts of one run that anyone needs to judge its abort notices.</summary>
/// <param name="Protocol">The protocol name bound into every message.</param>
/// <param name="SessionId">The run's session id (already bound to its configuration).</param>
/// <param name="Participants">Every participant's index.</param>
/// <param name="Directory">Every participant's public identity key.</param>
/// <param name="Judge">The protocol's judge.</param>
public sealed record SessionContext(string Protocol, byte[] SessionId, IReadOnlyList<int> Participants, IPartyDirectory Directory, IBlameJudge Judge)
{
    /// <summary>Whether <paramref name="message"/> is a genuine message of this run: its protocol, session, participants, signature.</summary>
    public bool IsGenuine(RoundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Protocol == Protocol
            && message.SessionId.AsSpan().SequenceEqual(SessionId)
            && Participants.Contains(message.Sender)
            && (message.Recipient is not { } r || (Participants.Contains(r) && r != message.Sender))
            && message.SignatureVerifies(Directory);
    }
}

/// <summary>
/// Judges abort notices, the same way for a party of the run, the aggregator and any third party:
/// every accusation the evidence proves names its accused; every accusation it does not prove names
/// the accuser (a false accusation), and so does a notice that names nobody. So each abort notice
/// names at least one party, and an honest party's notice names only parties that misbehaved.
/// </summary>
public static class ComplaintJudge
{
    /// <summary>The parties <paramref name="notice"/> proves guilty (one entry per party, with its evidence).</summary>
    /// <exception cref="ArgumentException">The notice is not a genuine abort notice of this run.</exception>
    public static IReadOnlyList<Culprit> Judge(SessionContext session, RoundMessage notice)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(notice);
        if (!notice.IsAbort || !session.IsGenuine(notice))
        {
            throw new ArgumentException("not a genuine abort notice of this run", nameof(notice));
        }

        return Verdicts(session, notice, RoundMessage.MaxComplaintDepth);
    }

    private static List<Culprit> Verdicts(SessionContext session, RoundMessage notice, int depth)
    {
        var accuser = notice.Sender;
        if (notice.Complaint.Count == 0)
        {
            return [new Culprit(accuser, Checks.EmptyComplaint, "stopped without naming anyone", [notice])];
        }

        var culprits = new List<Culprit>();
        foreach (var accusation in notice.Complaint)
        {
            culprits.Add(Holds(session, accusation, accuser, depth)
                ? accusation with { Reason = accusation.Reason.StartsWith("reported by", StringComparison.Ordinal) ? accusation.Reason : $"reported by party {accuser}: {accusation.Reason}" }
                : new Culprit(accuser, Checks.FalseAccusation, $"accused party {accusation.Party} ({accusation.Check}) without proof", [notice]));
        }

        return [.. culprits.GroupBy(c => c.Party).Select(g => g.First())];
    }

    /// <summary>Whether <paramref name="accusation"/>, made by <paramref name="accuser"/>, is proven by its evidence.</summary>
    internal static bool Holds(SessionContext session, Culprit accusation, int accuser, int depth)
    {
        var evidence = accusation.Evidence;
        var accused = accusation.Party;
        var nested = accusation.Check is Checks.FalseAccusation or Checks.EmptyComplaint;
        if (evidence.Count == 0 || !session.Participants.Contains(accused)
            || evidence.Any(e => !session.IsGenuine(e) || (e.IsAbort && !nested)))
        {
            return false;
        }

        try
        {
            return accusation.Check switch
            {
                Checks.Equivocation => Equivocated(session, accused, evidence),
                Checks.FalseEcho => EchoedFalsely(session, accused, evidence),
                Checks.UnexpectedMessage => SentUnexpected(session, accused, evidence),
                Checks.EmptyComplaint => evidence is [{ IsAbort: true, Complaint.Count: 0 } e] && e.Sender == accused,
                Checks.FalseAccusation => depth > 1 && evidence is [{ IsAbort: true } n] && n.Sender == accused
                    && Verdicts(session, n, depth - 1).Any(c => c.Party == accused && c.Check is Checks.FalseAccusation or Checks.EmptyComplaint),
                _ => session.Judge.Confirms(accusation, accuser, new EvidenceView(evidence, accused)),
            };
        }
        catch (Exception e) when (e is EvidenceException or DecodingException or ArgumentException or InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException)
        {
            // Evidence that is incomplete, inconsistent or undecodable proves nothing against the accused.
            return false;
        }
    }

    /// <summary>Two signed contents of the accused for one slot: two messages, or its broadcast and another party's echo of a different one.</summary>
    private static bool Equivocated(SessionContext session, int accused, IReadOnlyList<RoundMessage> evidence)
    {
        if (evidence is not [var first, var second] || first.Sender != accused)
        {
            return false;
        }

        if (second.Sender == accused && first.SameSlotAs(second))
        {
            return !first.SameContentAs(second);
        }

        if (!first.IsBroadcast || second.Round != first.Round + 1)
        {
            return false;
        }

        var echoed = second.Echo.Where(e => e.Sender == accused).ToList();
        return echoed.Count == 1
            && !echoed[0].ContentHash.AsSpan().SequenceEqual(first.ContentHash())
            && second.EchoVerifies(echoed[0], session.Directory);
    }

    /// <summary>
    /// The accused's echo carries an entry its claimed sender never signed for that slot, or does not
    /// list exactly the previous round's broadcasters (the round's shape, from the protocol).
    /// </summary>
    private static bool EchoedFalsely(SessionContext session, int accused, IReadOnlyList<RoundMessage> evidence)
    {
        var carrier = evidence[0];
        if (carrier.Sender != accused || carrier.IsAbort)
        {
            return false;
        }

        if (carrier.Echo.Any(e => !carrier.EchoVerifies(e, session.Directory)))
        {
            return true;
        }

        return !EchoComplete(session, carrier, new EvidenceView(evidence, accused));
    }

    /// <summary>Whether <paramref name="carrier"/>'s echo lists each previous-round broadcaster exactly once (none if that round had no broadcasts).</summary>
    internal static bool EchoComplete(SessionContext session, RoundMessage carrier, MessageView view)
    {
        var expected = carrier.Round > 1 && session.Judge.Shape(carrier.Round - 1, view).Broadcast ? session.Participants : [];
        return carrier.Echo.Count == expected.Count && expected.All(p => carrier.Echo.Count(e => e.Sender == p) == 1);
    }

    /// <summary>A message of a kind its round does not have, by the protocol's shape of that round.</summary>
    private static bool SentUnexpected(SessionContext session, int accused, IReadOnlyList<RoundMessage> evidence)
    {
        var message = evidence[0];
        return message.Sender == accused && !message.IsAbort
            && !Fits(message, session.Judge.Shape(message.Round, new EvidenceView(evidence, accused)));
    }

    /// <summary>Whether <paramref name="message"/> is a kind of message a round of <paramref name="shape"/> has.</summary>
    internal static bool Fits(RoundMessage message, RoundShape shape) => message.Kind switch
    {
        MessageKind.Confirmation => shape.Confirmation,
        MessageKind.Round => !shape.Confirmation && (message.IsBroadcast ? shape.Broadcast : shape.Direct),
        _ => false,
    };
}
