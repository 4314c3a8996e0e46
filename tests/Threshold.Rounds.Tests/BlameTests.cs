using Threshold.Rounds.Runner;
using Threshold.Rounds.Signing;

namespace Threshold.Rounds.Tests;

/// <summary>
/// The ways a malicious party could try to get an honest one blamed through the framework's own
/// mechanisms (echoes, abort notices, message kinds), and what every honest party concludes instead.
/// </summary>
public sealed class BlameTests
{
    [Fact]
    public void EchoOfAnEarlierRoundsBroadcastIsAFalseEcho()
    {
        var (parties, signers) = SumProtocol.Create(3, finalBroadcast: true);
        RoundMessage? oneRoundOne = null;
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is { Sender: 1, Round: 1, IsBroadcast: true })
            {
                oneRoundOne = m;
            }

            // In its confirmation, party 3 passes off party 1's signed round-1 broadcast as 1's round-2 one.
            if (m is { Sender: 3, Round: 3 } && oneRoundOne is { } old)
            {
                var forged = m.Echo.Select(e => e.Sender == 1 ? new EchoEntry(1, old.ContentHash(), old.Signature) : e).ToList();
                return Tamper.ResignEcho(m, forged, signers[2]);
            }

            return m;
        });
        AssertOnlyNamed(report, culprit: 3, Checks.FalseEcho);
    }

    [Fact]
    public void EchoOfADirectMessageIsAFalseEcho()
    {
        var (parties, signers) = SumProtocol.Create(3, finalBroadcast: true);
        RoundMessage? oneToThree = null;
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is { Sender: 1, Round: 2, Recipient: 3 })
            {
                oneToThree = m;
            }

            // Party 3 echoes the direct message party 1 signed for it as if it were 1's broadcast.
            if (m is { Sender: 3, Round: 3 } && oneToThree is { } direct)
            {
                var forged = m.Echo.Select(e => e.Sender == 1 ? new EchoEntry(1, direct.ContentHash(), direct.Signature) : e).ToList();
                return Tamper.ResignEcho(m, forged, signers[2]);
            }

            return m;
        });
        AssertOnlyNamed(report, culprit: 3, Checks.FalseEcho);
    }

    [Fact]
    public void EquivocationNoticeBuiltFromDifferentSlotsNamesItsAuthor()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var started = parties.Select(p => p.Start().Single()).ToList();
        var p3 = parties[2];
        p3.Deliver(started[0]);
        var fromThree = p3.Deliver(started[1]);
        var p1 = parties[0];
        p1.Deliver(started[1]);
        var round2 = p1.Deliver(started[2]);
        var oneToThree = round2.Single(m => m.Recipient == 3);

        // Two genuine messages of party 1, but of different slots: no equivocation.
        var twoSlots = Notice(started[0].SessionId, signers[2], new Culprit(1, Checks.Equivocation, "made up", [started[0], oneToThree]));
        // Party 3's own message whose echo entry for 1 carries 1's direct message: the signature is not for 1's round-1 broadcast slot.
        var carrier = Tamper.ResignEcho(fromThree.First(m => m.Recipient == 1), [.. fromThree[0].Echo.Select(e => e.Sender == 1 ? new EchoEntry(1, oneToThree.ContentHash(), oneToThree.Signature) : e)], signers[2]);
        var viaEcho = Notice(started[0].SessionId, signers[2], new Culprit(1, Checks.Equivocation, "made up", [started[0], carrier]));

        foreach (var notice in new[] { twoSlots, viaEcho })
        {
            var verdict = ComplaintJudge.Judge(parties[1].Context, notice);
            var culprit = Assert.Single(verdict);
            Assert.Equal(3, culprit.Party);
            Assert.Equal(Checks.FalseAccusation, culprit.Check);
        }
    }

    [Fact]
    public void AnAbortNoticeNamingNobodyNamesItsSender()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var started = parties.Select(p => p.Start().Single()).ToList();
        var empty = Notice(started[0].SessionId, signers[2]);
        var p1 = parties[0];
        var forwarded = Assert.Single(p1.Deliver(empty));
        Assert.Equal(PartyStatus.Aborted, p1.Status);
        var culprit = Assert.Single(p1.Culprits);
        Assert.Equal((3, Checks.EmptyComplaint), (culprit.Party, culprit.Check));

        // The forwarded judgement convinces a party that never saw the original notice.
        var p2 = parties[1];
        p2.Deliver(forwarded);
        Assert.Equal(3, Assert.Single(p2.Culprits).Party);
    }

    [Fact]
    public void AnAccusationWithAnUnknownCheckNamesTheAccuser()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var started = parties.Select(p => p.Start().Single()).ToList();
        var notice = Notice(started[0].SessionId, signers[2], new Culprit(1, "sum.whatever", "made up", [started[0]]));
        Assert.Equal([3], ComplaintJudge.Judge(parties[1].Context, notice).Select(c => c.Party));
    }

    [Fact]
    public void AFalseNoticeToOnePartyReachesEveryHonestParty()
    {
        var (parties, signers) = SumProtocol.Create(4);
        RoundMessage? notice = null;
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (ReferenceEquals(m, notice))
            {
                return m; // party 1 relaying the notice it judged
            }

            // Party 4 sends party 1 alone an abort notice accusing party 2, and otherwise stays silent.
            if (m.Sender == 4)
            {
                if (notice is not null || to != 1)
                {
                    return null;
                }

                notice = Notice(m.SessionId, signers[3], new Culprit(2, SumProtocol.Inconsistent, "made up", [m]));
                return notice;
            }

            return m;
        });
        AssertOnlyNamed(report, culprit: 4, Checks.FalseAccusation);
    }

    [Fact]
    public void ADirectMessageInABroadcastRoundIsUnexpected()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 2, Round: 1 } && to == 1 ? Tamper.Resign(m with { Recipient = 1 }, m.Payload, signers[1]) : m);
        AssertOnlyNamed(report, culprit: 2, Checks.UnexpectedMessage);
    }

    [Fact]
    public void AnEarlyConfirmationIsUnexpected()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 2, Round: 2, Recipient: 1 }
                ? Tamper.Resign(m with { Recipient = null, Kind = MessageKind.Confirmation }, [], signers[1])
                : m);
        AssertOnlyNamed(report, culprit: 2, Checks.UnexpectedMessage);
    }

    [Fact]
    public void CallingAnHonestConfirmationUnexpectedNamesTheAccuser()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var confirmations = new List<RoundMessage>();
        InMemoryNetwork.Run(parties, (m, _) =>
        {
            if (m.IsConfirmation)
            {
                confirmations.Add(m);
            }

            return m;
        });
        var honest = confirmations.First(m => m.Sender == 1);
        foreach (var check in new[] { Checks.UnexpectedMessage, Checks.FalseEcho, Checks.Equivocation, SumProtocol.Malformed })
        {
            var notice = Notice(honest.SessionId, signers[2], new Culprit(1, check, "made up", [honest]));
            Assert.Equal([3], ComplaintJudge.Judge(parties[1].Context, notice).Select(c => c.Party));
        }
    }

    [Fact]
    public void ThirdPartiesReachTheSameVerdictAsTheParties()
    {
        var (parties, signers) = SumProtocol.Create(4, finalBroadcast: true);
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 3, Round: 2, IsBroadcast: true } && to == 1 ? Tamper.Resign(m, SumProtocol.Encode(-5), signers[2]) : m);
        foreach (var party in report.Parties.Where(p => p.Index != 3))
        {
            Assert.Equal(PartyStatus.Aborted, party.Status);
            var notice = party.AbortNotice!;
            var decoded = RoundMessage.Decode(notice.Encode());
            Assert.Equal(party.Culprits.Select(c => c.Party), ComplaintJudge.Judge(party.Context, decoded).Select(c => c.Party));
        }
    }

    [Fact]
    public void NoticesCannotBeForgedOrMovedToAnotherSession()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var started = parties.Select(p => p.Start().Single()).ToList();
        var notice = Notice(started[0].SessionId, signers[2]);
        Assert.Throws<ArgumentException>(() => ComplaintJudge.Judge(parties[0].Context, notice with { Sender = 2 }));
        Assert.Throws<ArgumentException>(() => ComplaintJudge.Judge(parties[0].Context, Tamper.Resign(notice with { SessionId = "sid-2"u8.ToArray() }, [], signers[2])));
    }

    private static RoundMessage Notice(byte[] sessionId, IMessageSigner signer, params Culprit[] accusations)
    {
        var unsigned = new RoundMessage(SumProtocol.Name, sessionId, 2, signer.Party, null, [], [], []) { Kind = MessageKind.Abort, Complaint = accusations };
        return unsigned with { Signature = signer.Sign(unsigned.Digest()) };
    }

    private static void AssertOnlyNamed(RunReport<long> report, int culprit, string check)
    {
        foreach (var party in report.Parties.Where(p => p.Index != culprit))
        {
            Assert.Equal(PartyStatus.Aborted, party.Status);
            var named = Assert.Single(party.Culprits);
            Assert.True(named.Party == culprit && named.Check == check, $"party {party.Index} named {named.Party} for {named.Check}: {named.Reason}");
        }
    }
}

/// <summary>A round that holds a secret and counts how often it was wiped.</summary>
internal sealed class SecretHoldingRound : Round<long>
{
    public int Discarded { get; private set; }

    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<long> Finish(RoundInbox inbox) => new RoundOutcome<long>.Done(0);

    public override void Discard() => Discarded++;
}

public sealed class SecretWipingTests
{
    [Fact]
    public void AnAbortOnAComplaintOrAnEquivocationWipesTheRoundsSecrets()
    {
        var (signers, directory) = EcdsaPartyKeys.Generate(3);
        var rounds = new List<SecretHoldingRound>();
        var parties = Enumerable.Range(1, 3).Select(i =>
        {
            var round = new SecretHoldingRound();
            rounds.Add(round);
            return new Party<long>(new PartySession(SumProtocol.Name, "wipe"u8.ToArray(), i, [1, 2, 3], signers[i - 1], directory, new NoJudge()), round, new Outgoing { Broadcast = [1] });
        }).ToList();
        var started = parties.Select(p => p.Start().Single()).ToList();

        // Party 1 gets two different round-1 broadcasts from party 2: equivocation, abort, wipe.
        parties[0].Deliver(started[1]);
        parties[0].Deliver(Tamper.Resign(started[1], [2], signers[1]));
        Assert.Equal(PartyStatus.Aborted, parties[0].Status);
        Assert.Equal(1, rounds[0].Discarded);

        // Party 3 gets party 1's notice before it could finish its round: abort, wipe.
        parties[2].Deliver(parties[0].AbortNotice!);
        Assert.Equal(PartyStatus.Aborted, parties[2].Status);
        Assert.Equal(1, rounds[2].Discarded);

        // Party 2 is abandoned from outside.
        parties[1].Abandon();
        Assert.Equal(PartyStatus.Abandoned, parties[1].Status);
        Assert.Equal(1, rounds[1].Discarded);
    }

    private sealed class NoJudge : IBlameJudge
    {
        public RoundShape Shape(int round, MessageView view) => round == 1 ? new RoundShape(true, false) : round == 2 ? RoundShape.Confirm : RoundShape.None;

        public bool Confirms(Culprit accusation, int accuser, MessageView view) => false;
    }
}
