using System.Numerics;
using Google.Protobuf;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Presigning;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Rounds;
using Threshold.Rounds.Runner;
using Threshold.Rounds.Signing;
using Threshold.Testing;

namespace Threshold.Cggmp.Tests;

/// <summary>
/// One test per way a malicious party could once get an honest party blamed, or stop a run without
/// anyone being named; each tries the attack and checks that the attacker is the one named.
/// </summary>
public sealed class IdentificationRegressionTests
{
    private const string Seed = "regression";

    [Fact]
    public void AnAlphaDisclosureOffByNIsAFalseAccusation()
    {
        // Party 1 decrypts party 2's honest D_{1,2} and discloses α + N with the true nonce: it re-encrypts
        // to the same ciphertext (encryption reduces mod N) but is not the plaintext in (−N/2, N/2].
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 2);
        var messages = Capture(cluster, [1, 2], "alpha off by n");
        var key = cluster.Aux[0].PaillierKey;
        var affine = Wire.PresignAffine.Parser.ParseFrom(messages.Direct(2, 2, 1).Payload);
        var d = key.PublicKey.Validate(new BigInteger(affine.D.Span, isUnsigned: true, isBigEndian: true));
        var alpha = key.DecryptSigned(d);
        var nonce = key.RecoverNonce(d.Value);
        Assert.Equal(d, key.PublicKey.Encrypt(alpha + key.N, nonce)); // the attack's premise
        var evidence = new[] { messages.Direct(2, 2, 1), messages.Broadcast(2, 2), messages.Broadcast(1, 1), messages.Broadcast(1, 2) };
        foreach (var plaintext in new[] { alpha + key.N, alpha - key.N, alpha })
        {
            var disclosure = new Wire.PresignAlphaDisclosure { Which = 0, Plaintext = Proofs.Encoding.WireCodec.Signed(plaintext), Nonce = Proofs.Encoding.WireCodec.Unsigned(nonce) }.ToByteArray();
            var notice = Notice(cluster, messages.Broadcast(1, 1), new Culprit(2, PresignChecks.AlphaRange, "made up", evidence) { Disclosure = disclosure });
            AssertNamesOnly(Judge(cluster, [1, 2], "alpha off by n", notice), 1, Checks.FalseAccusation);
        }
    }

    [Fact]
    public void AnHonestRoundFourBroadcastIsNoIdentificationEvidence()
    {
        // With the δ check holding, round 4 carries S_j: no identification was due, so no accusation of
        // an identification check can stand, whatever round-4 or confirmation message it cites.
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        var messages = Capture(cluster, [1, 2, 3], "round four");
        foreach (var check in new[] { PresignChecks.IdentificationInconsistent, PresignChecks.IdentificationDecryption, PresignChecks.IdentificationProduct })
        {
            foreach (var cited in new[] { messages.Broadcast(4, 2), messages.Broadcast(5, 2) })
            {
                var evidence = new[] { messages.Direct(2, 2, 1), cited, messages.Broadcast(3, 1), messages.Broadcast(3, 2), messages.Broadcast(3, 3) };
                var notice = Notice(cluster, messages.Broadcast(1, 1), new Culprit(2, check, "made up", evidence));
                AssertNamesOnly(Judge(cluster, [1, 2, 3], "round four", notice), 1, Checks.FalseAccusation);
            }
        }
    }

    [Fact]
    public void AnHonestKeygenConfirmationIsNotMalformed()
    {
        var (parties, signers) = KeygenHarness.Create(Curve.P256, 2, 3, "confirmation");
        var confirmations = new List<RoundMessage>();
        Assert.True(InMemoryNetwork.Run(parties, (m, _) =>
        {
            if (m.IsConfirmation)
            {
                confirmations.Add(m);
            }

            return m;
        }).AllCompleted);
        var honest = confirmations.First(m => m.Sender == 2);
        var unsigned = new RoundMessage(honest.Protocol, honest.SessionId, 4, 3, null, [], [], [])
        {
            Kind = MessageKind.Abort,
            Complaint = [new Culprit(2, KeygenChecks.Malformed, "made up", [honest])],
        };
        var notice = unsigned with { Signature = signers[2].Sign(unsigned.Digest()) };
        AssertNamesOnly(ComplaintJudge.Judge(parties[0].Context, notice), 3, Checks.FalseAccusation);
    }

    [Fact]
    public void ACulpritThatWithholdsItsRoundOneFromABystanderIsStillNamedByIt()
    {
        // Party 3 sends party 2 a bad Πenc and keeps its round-1 messages from party 1 altogether: party 1
        // must judge party 2's accusation from the evidence alone, not from what it has seen.
        var cluster = Cluster.Get(Curve.Secp256k1, 3, 3);
        var report = cluster.Presign([1, 2, 3], "withheld", (m, to) => m switch
        {
            { Sender: 3, Round: 1 } when to == 1 => null,
            { Sender: 3, Round: 1, Recipient: 2 } => cluster.TamperProof(m, Wire.PresignEncProof.Parser, "proof", Proofs.Wire.PaillierEncryptionInRangeProof.Parser, "z1"),
            _ => m,
        });
        foreach (var party in report.Parties.Where(p => p.Index != 3))
        {
            Assert.Equal(PartyStatus.Aborted, party.Status);
            var named = Assert.Single(party.Culprits);
            Assert.Equal((3, PresignChecks.Encryption), (named.Party, named.Check));
        }
    }

    [Theory]
    [InlineData("mul B")]
    [InlineData("mul z")]
    [InlineData("mul proof")]
    public void AnIdentificationProofThatDoesNotDecodeNamesItsSender(string broken)
    {
        // Party 3 reports a wrong δ, so identification is due, and then publishes a Πmul that does not decode
        // against its statement (a commitment that is not a unit, a response out of range, bytes that are no
        // proof): the honest parties must name it for its product proof, not stop on the decoding error.
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        var notices = new List<RoundMessage>();
        var seed = "undecodable mul " + broken;
        var report = cluster.Presign([1, 2, 3], seed, (m, _) =>
        {
            if (m.IsAbort)
            {
                notices.Add(m);
            }

            return m is { Sender: 3, Round: 4, IsBroadcast: true, IsAbort: false } ? BreakMulProof(cluster, m, broken) : m;
        }, faulty: 3, faults: new PresignFaults(Delta: d => d + Scalar.One(Curve.Secp256k1)));
        foreach (var party in report.Parties.Where(p => p.Index != 3))
        {
            Assert.Equal(PartyStatus.Aborted, party.Status);
            var named = Assert.Single(party.Culprits);
            Assert.Equal((3, PresignChecks.IdentificationProduct), (named.Party, named.Check));
            AssertNamesOnly(Judge(cluster, [1, 2, 3], seed, notices.First(n => n.Sender == party.Index)), 3, PresignChecks.IdentificationProduct);
        }
    }

    [Fact]
    public void SignersHandedDifferentSignerSetsBlameNobody()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        var chosen = "presign different sets"u8.ToArray();
        var rng = new SeededRandom("different sets");
        var parties = new[] { (1, new[] { 1, 2 }), (2, new[] { 1, 2, 3 }) }.Select(x => Presign.Create(
            new PresignConfig(x.Item2, chosen), cluster.Shares[x.Item1 - 1], cluster.Aux[x.Item1 - 1], new PartyIdentity(cluster.Signers[x.Item1 - 1], cluster.Directory), rng.Fork($"party-{x.Item1}"))).ToList();
        var report = InMemoryNetwork.Run(parties);
        Assert.All(report.Parties, p => Assert.Equal(PartyStatus.Running, p.Status));
        Assert.All(report.Parties, p => Assert.Empty(p.Culprits));
        Assert.All(report.Rejections, r => Assert.Equal(RejectionReason.WrongSession, r.Reason));
        Assert.NotEmpty(report.Rejections);
    }

    [Fact]
    public void PartiesHandedDifferentThresholdsBlameNobody()
    {
        var (signers, directory) = EcdsaPartyKeys.Generate(3);
        var rng = new SeededRandom("different thresholds");
        var parties = Enumerable.Range(1, 3).Select(i => Keygen.Create(
            new KeygenConfig(Curve.Secp256k1, i == 3 ? 3 : 2, [1, 2, 3], "keygen different t"u8.ToArray()), new PartyIdentity(signers[i - 1], directory), rng.Fork($"party-{i}"))).ToList();
        var report = InMemoryNetwork.Run(parties);
        Assert.All(report.Parties, p => Assert.Empty(p.Culprits));
        Assert.All(report.Parties, p => Assert.NotEqual(PartyStatus.Completed, p.Status));
    }

    [Fact]
    public void NoticesNamingNobodyOrUnknownOrUnprovenChecksNameTheirSender()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        var messages = Capture(cluster, [1, 2, 3], "content free");
        Culprit[][] complaints =
        [
            [],
            [new Culprit(2, "presign.no-such-check", "made up", [messages.Broadcast(1, 2)])],
            [new Culprit(2, PresignChecks.Malformed, "made up", [messages.Broadcast(2, 2)])],
            [new Culprit(2, PresignChecks.Malformed, "made up", [messages.Direct(2, 2, 1), messages.Broadcast(2, 2), messages.Broadcast(1, 1), messages.Broadcast(1, 2)])],
            [new Culprit(2, PresignChecks.Malformed, "made up", [messages.Broadcast(5, 2)])],
            [new Culprit(2, Checks.UnexpectedMessage, "made up", [messages.Broadcast(5, 2), messages.Broadcast(3, 1), messages.Broadcast(3, 2), messages.Broadcast(3, 3), messages.Broadcast(4, 1), messages.Broadcast(4, 2), messages.Broadcast(4, 3)])],
            [new Culprit(2, PresignChecks.LogK, "made up", [messages.Direct(3, 2, 1)])],
        ];
        foreach (var complaint in complaints)
        {
            var notice = Notice(cluster, messages.Broadcast(1, 1), complaint);
            AssertNamesOnly(Judge(cluster, [1, 2, 3], "content free", notice), 1, complaint.Length == 0 ? Checks.EmptyComplaint : Checks.FalseAccusation);
        }
    }

    [Fact]
    public void AuxInfoNoticesAgainstHonestMessagesNameTheirSender()
    {
        var (signers, directory) = EcdsaPartyKeys.Generate(3);
        var config = new AuxInfoConfig(SecurityLevel.Bits2048, [1, 2, 3], "aux regression"u8.ToArray());
        var rng = new SeededRandom("aux regression");
        var pool = TestPrimes.Pool();
        var parties = Enumerable.Range(1, 3).Select(i => AuxInfoProtocol.Create(config, new PartyIdentity(signers[i - 1], directory), rng.Fork($"party-{i}"), pool)).ToList();
        var seen = new List<RoundMessage>();
        Assert.True(InMemoryNetwork.Run(parties, (m, _) =>
        {
            seen.Add(m);
            return m;
        }).AllCompleted);
        var context = AuxInfoProtocol.Context(config, directory);
        RoundMessage From(int round, int sender, int? to = null) => seen.First(m => m.Round == round && m.Sender == sender && m.Recipient == to);
        foreach (var check in new[] { AuxInfoChecks.Malformed, AuxInfoChecks.Modulus, AuxInfoChecks.Factors, AuxInfoChecks.RingPedersen, AuxInfoChecks.Decommitment })
        {
            var evidence = new[] { From(3, 2, 1), From(3, 2), From(2, 1), From(2, 2), From(2, 3), From(1, 2), From(4, 2) };
            var unsigned = new RoundMessage(context.Protocol, context.SessionId, 4, 1, null, [], [], []) { Kind = MessageKind.Abort, Complaint = [new Culprit(2, check, "made up", evidence)] };
            AssertNamesOnly(ComplaintJudge.Judge(context, unsigned with { Signature = signers[0].Sign(unsigned.Digest()) }), 1, Checks.FalseAccusation);
        }
    }

    private static RoundMessage BreakMulProof(Cluster cluster, RoundMessage round4, string broken)
    {
        var wrapper = Wire.PresignRound4.Parser.ParseFrom(round4.Payload);
        var proof = Proofs.Wire.PaillierMultiplicationProof.Parser.ParseFrom(wrapper.Identification.MulProof);
        var key = cluster.Aux[2].PaillierKey;
        switch (broken)
        {
            case "mul B":
                proof.B = ByteString.Empty;
                break;
            case "mul z":
                proof.Z = Proofs.Encoding.WireCodec.Unsigned(key.N);
                break;
        }

        wrapper.Identification.MulProof = broken == "mul proof" ? ByteString.CopyFrom(0xff, 0xff, 0xff) : proof.ToByteString();
        return Tamper.Resign(round4, wrapper.ToByteArray(), cluster.Signers[round4.Sender - 1]);
    }

    /// <summary>An honest presigning run among <paramref name="signers"/>, every message kept.</summary>
    private static Captured Capture(Cluster cluster, IReadOnlyList<int> signers, string seed)
    {
        var seen = new List<RoundMessage>();
        var report = cluster.Presign(signers, seed, (m, _) =>
        {
            seen.Add(m);
            return m;
        });
        Assert.True(report.AllCompleted);
        return new Captured(seen);
    }

    private sealed class Captured(IReadOnlyList<RoundMessage> seen)
    {
        public RoundMessage Broadcast(int round, int sender) => seen.First(m => m.Round == round && m.Sender == sender && m.IsBroadcast && !m.IsAbort);

        public RoundMessage Direct(int round, int sender, int recipient) => seen.First(m => m.Round == round && m.Sender == sender && m.Recipient == recipient);
    }

    private static RoundMessage Notice(Cluster cluster, RoundMessage ofSession, params Culprit[] accusations)
    {
        var unsigned = new RoundMessage(ofSession.Protocol, ofSession.SessionId, 3, 1, null, [], [], []) { Kind = MessageKind.Abort, Complaint = accusations };
        return unsigned with { Signature = cluster.Signers[0].Sign(unsigned.Digest()) };
    }

    private static IReadOnlyList<Culprit> Judge(Cluster cluster, IReadOnlyList<int> signers, string seed, RoundMessage notice)
    {
        var setup = PresignSetup.From(signers, cluster.Shares[0], cluster.Aux[0]);
        return ComplaintJudge.Judge(Presign.Context(setup, System.Text.Encoding.UTF8.GetBytes("presign " + seed), cluster.Directory), notice);
    }

    private static void AssertNamesOnly(IReadOnlyList<Culprit> verdict, int party, string check)
    {
        var named = Assert.Single(verdict);
        Assert.True(named.Party == party && named.Check == check, $"named {named.Party} for {named.Check}: {named.Reason}");
    }
}
