using Threshold.Rounds.Runner;

namespace Threshold.Rounds.Tests;

public sealed class PartyTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void HonestRunCompletesEverywhere(int n)
    {
        var (parties, _) = SumProtocol.Create(n);
        var report = InMemoryNetwork.Run(parties);
        Assert.True(report.AllCompleted);
        var sumV = Enumerable.Range(1, n).Sum(i => 10L * i);
        foreach (var p in parties)
        {
            Assert.Equal((sumV - (10L * p.Index)) * (1 + p.Index), p.Result);
            Assert.Equal(3, p.Rounds); // two rounds and the confirmation
            Assert.All(p.BytesSentPerRound, b => Assert.True(b > 0));
        }

        Assert.Empty(report.Rejections);
    }

    [Fact]
    public void EquivocatedBroadcastIsPinnedOnItsSender()
    {
        var (parties, signers) = SumProtocol.Create(4);
        // Party 2 tells party 3 a different round-1 value than everyone else, signing both.
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 2, Round: 1, IsBroadcast: true } && to == 3 ? Tamper.Resign(m, SumProtocol.Encode(999), signers[1]) : m);
        foreach (var honest in parties.Where(p => p.Index != 2))
        {
            Assert.Equal(PartyStatus.Aborted, honest.Status);
            var culprit = Assert.Single(honest.Culprits);
            Assert.Equal(2, culprit.Party);
            Assert.Equal(Checks.Equivocation, culprit.Check);
            Assert.Equal(2, culprit.Evidence.Count);
        }
    }

    [Fact]
    public void FalseEchoIsPinnedOnTheEchoingParty()
    {
        var (parties, signers) = SumProtocol.Create(3);
        // Party 3 claims, in round 2, to have seen a different round-1 broadcast from party 1.
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is not { Sender: 3, Round: 2 })
            {
                return m;
            }

            var forged = m.Echo.Select(e => e.Sender == 1 ? e with { ContentHash = new byte[32] } : e).ToList();
            return Tamper.ResignEcho(m, forged, signers[2]);
        });
        foreach (var honest in parties.Where(p => p.Index != 3))
        {
            Assert.Equal(PartyStatus.Aborted, honest.Status);
            Assert.Equal(3, Assert.Single(honest.Culprits).Party);
        }
    }

    [Fact]
    public void InconsistentDirectValueIsBlamedWithEvidence()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 1, Round: 2, Recipient: 2 } ? Tamper.Resign(m, SumProtocol.Encode(12345), signers[0]) : m);
        var victim = report.Party(2);
        Assert.Equal(PartyStatus.Aborted, victim.Status);
        var culprit = Assert.Single(victim.Culprits);
        Assert.Equal(1, culprit.Party);
        Assert.Equal(SumProtocol.Inconsistent, culprit.Check);
        Assert.All(culprit.Evidence, e => Assert.Equal(1, e.Sender));

        // Party 3 saw nothing wrong itself, but party 2's complaint carries the proof.
        var bystander = report.Party(3);
        Assert.Equal(PartyStatus.Aborted, bystander.Status);
        Assert.Equal(1, Assert.Single(bystander.Culprits).Party);
    }

    [Fact]
    public void FalseAccusationIsPinnedOnTheAccuser()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var started = parties.Select(p => p.Start().Single()).ToList();
        // Party 2 runs round 1 honestly and sends its (consistent) round-2 messages.
        var p2 = parties[1];
        p2.Deliver(started[0]);
        var round2 = p2.Deliver(started[2]);
        var toThree = round2.Single(m => m.Recipient == 3);
        // Party 3 accuses party 2 with that genuine evidence.
        var accusation = new Culprit(2, SumProtocol.Inconsistent, "made up", [started[1], toThree]);
        var unsigned = new RoundMessage(SumProtocol.Name, started[0].SessionId, 2, 3, null, [], [], []) { Kind = MessageKind.Abort, Complaint = [accusation] };
        var complaint = unsigned with { Signature = signers[2].Sign(unsigned.Digest()) };

        var p1 = parties[0];
        p1.Deliver(complaint);
        Assert.Equal(PartyStatus.Aborted, p1.Status);
        var culprit = Assert.Single(p1.Culprits);
        Assert.Equal(3, culprit.Party);
        Assert.Equal(Checks.FalseAccusation, culprit.Check);
    }

    [Fact]
    public void EquivocationComplaintsConvinceEveryHonestParty()
    {
        var (parties, signers) = SumProtocol.Create(4);
        InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 4, Round: 1, IsBroadcast: true } && to == 1 ? Tamper.Resign(m, SumProtocol.Encode(1), signers[3]) : m);
        Assert.All(parties.Where(p => p.Index != 4), p =>
        {
            Assert.Equal(PartyStatus.Aborted, p.Status);
            var c = Assert.Single(p.Culprits);
            Assert.Equal(4, c.Party);
            Assert.Equal(Checks.Equivocation, c.Check);
        });
    }

    [Fact]
    public void ComplaintsRoundTripThroughProtobuf()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            var tampered = m is { Sender: 1, Round: 2, Recipient: 2 } ? Tamper.Resign(m, SumProtocol.Encode(12345), signers[0]) : m;
            var decoded = RoundMessage.Decode(tampered.Encode());
            Assert.Equal(tampered.Digest(), decoded.Digest());
            return decoded;
        });
        Assert.Equal(1, Assert.Single(report.Party(3).Culprits).Party);
    }

    [Fact]
    public void MalformedPayloadIsBlamedOnItsSender()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 3, Round: 1 } ? Tamper.Resign(m, [1, 2, 3], signers[2]) : m);
        foreach (var honest in parties.Where(p => p.Index != 3))
        {
            var culprit = Assert.Single(honest.Culprits);
            Assert.Equal(3, culprit.Party);
            Assert.Contains("malformed", culprit.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EquivocatedFinalBroadcastIsCaughtByTheFinalEchoRound()
    {
        var (parties, signers) = SumProtocol.Create(3, finalBroadcast: true);
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 1, Round: 2, IsBroadcast: true } && to == 2 ? Tamper.Resign(m, SumProtocol.Encode(-1), signers[0]) : m);
        Assert.All(parties.Where(p => p.Index != 1), p =>
        {
            Assert.Equal(PartyStatus.Aborted, p.Status);
            Assert.Equal(1, Assert.Single(p.Culprits).Party);
        });
        Assert.Equal(3, report.Party(2).Rounds);
    }

    [Fact]
    public void WithoutConfirmationABystanderCompletesWhileTheVictimAborts()
    {
        var (parties, signers) = SumProtocol.Create(3, echoFinal: false);
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 1, Round: 2, Recipient: 2 } ? Tamper.Resign(m, SumProtocol.Encode(12345), signers[0]) : m);
        Assert.Equal(PartyStatus.Aborted, report.Party(2).Status);
        Assert.Equal(PartyStatus.Completed, report.Party(3).Status); // why confirmation is the default
    }

    [Fact]
    public void WithoutTheFinalEchoRoundAnEquivocatedLastBroadcastGoesUnnoticed()
    {
        var (parties, signers) = SumProtocol.Create(3, finalBroadcast: true, echoFinal: false);
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 1, Round: 2, IsBroadcast: true } && to == 2 ? Tamper.Resign(m, SumProtocol.Encode(-1), signers[0]) : m);
        Assert.True(report.AllCompleted); // why the final echo round exists
    }

    [Fact]
    public void MessagesArrivingEarlyAreBufferedAndDuplicatesIgnored()
    {
        var (parties, _) = SumProtocol.Create(3);
        var all = parties.SelectMany(p => p.Start()).ToList();
        var p1 = parties[0];
        // Deliver round-2 messages before round 1 can be finished, then round 1, then duplicates.
        var firstRound = all.Where(m => m.Sender != 1).ToList();
        var replies = new List<RoundMessage>();
        foreach (var p in parties.Skip(1))
        {
            foreach (var m in all.Where(m => m.Sender != p.Index))
            {
                replies.AddRange(p.Deliver(m));
            }
        }

        foreach (var m in replies.Where(m => m.Recipient == 1))
        {
            Assert.Empty(p1.Deliver(m));
        }

        Assert.Equal(PartyStatus.Running, p1.Status);
        var produced = new List<RoundMessage>();
        foreach (var m in firstRound)
        {
            produced.AddRange(p1.Deliver(m));
        }

        Assert.Equal(PartyStatus.Running, p1.Status); // waiting for the others' confirmations
        Assert.Equal(3, produced.Count); // its round-2 messages to 2 and 3, and its confirmation
        Assert.Empty(p1.Deliver(firstRound[0]));
    }

    [Fact]
    public void SecondDifferentMessageForOneSlotIsEquivocation()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var started = parties.Select(p => p.Start()).ToList();
        var p1 = parties[0];
        var fromTwo = started[1].Single();
        p1.Deliver(fromTwo);
        p1.Deliver(Tamper.Resign(fromTwo, SumProtocol.Encode(7), signers[1]));
        Assert.Equal(PartyStatus.Aborted, p1.Status);
        var culprit = Assert.Single(p1.Culprits);
        Assert.Equal(2, culprit.Party);
        Assert.Equal(2, culprit.Evidence.Count);
    }

    [Fact]
    public void UnattributableMessagesAreRejectedWithoutChangingState()
    {
        var (parties, signers) = SumProtocol.Create(3);
        var started = parties.Select(p => p.Start()).ToList();
        var p1 = parties[0];
        var good = started[1].Single();

        var wrongSession = Tamper.Resign(good with { SessionId = "other"u8.ToArray() }, good.Payload, signers[1]);
        Assert.Equal(RejectionReason.WrongSession, Assert.Throws<MessageRejectedException>(() => p1.Deliver(wrongSession)).Reason);

        var forged = good with { Payload = SumProtocol.Encode(5) }; // signature no longer matches
        Assert.Equal(RejectionReason.BadSignature, Assert.Throws<MessageRejectedException>(() => p1.Deliver(forged)).Reason);

        var signedByOther = Tamper.Resign(good, good.Payload, signers[2]); // claims 2, signed by 3
        Assert.Equal(RejectionReason.BadSignature, Assert.Throws<MessageRejectedException>(() => p1.Deliver(signedByOther)).Reason);

        var fromSelf = Tamper.Resign(good with { Sender = 1 }, good.Payload, signers[0]);
        Assert.Equal(RejectionReason.UnknownSender, Assert.Throws<MessageRejectedException>(() => p1.Deliver(fromSelf)).Reason);

        var stranger = Tamper.Resign(good with { Sender = 9 }, good.Payload, signers[1]);
        Assert.Equal(RejectionReason.UnknownSender, Assert.Throws<MessageRejectedException>(() => p1.Deliver(stranger)).Reason);

        var toOther = Tamper.Resign(good with { Recipient = 3 }, good.Payload, signers[1]);
        Assert.Equal(RejectionReason.WrongRecipient, Assert.Throws<MessageRejectedException>(() => p1.Deliver(toOther)).Reason);

        var farFuture = Tamper.Resign(good with { Round = 40 }, good.Payload, signers[1]);
        Assert.Equal(RejectionReason.RoundOutOfRange, Assert.Throws<MessageRejectedException>(() => p1.Deliver(farFuture)).Reason);

        // None of that changed anything: the genuine messages still complete the round.
        Assert.Equal(PartyStatus.Running, p1.Status);
        p1.Deliver(good);
        var round2 = p1.Deliver(started[2].Single());
        Assert.Equal(2, round2.Count);
    }

    [Fact]
    public void EnvelopesRoundTripThroughProtobuf()
    {
        var (parties, _) = SumProtocol.Create(3);
        var report = InMemoryNetwork.Run(parties, (m, _) => RoundMessage.Decode(m.Encode()));
        Assert.True(report.AllCompleted);
    }

    [Fact]
    public void MalformedEnvelopesAreTypedErrors()
    {
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => RoundMessage.Decode([0xFF, 0xFF])).Reason);
        var (parties, _) = SumProtocol.Create(2);
        var m = parties[0].Start().Single();
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => RoundMessage.Decode((m with { Round = 0 }).Encode())).Reason);
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => RoundMessage.Decode((m with { SessionId = new byte[65] }).Encode())).Reason);
        var encoded = m.Encode();
        Assert.Throws<DecodingException>(() => RoundMessage.Decode(encoded.AsSpan(0, encoded.Length - 5)));
    }
}
