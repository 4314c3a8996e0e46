using System.Security.Cryptography;
using Threshold.Cggmp.Presigning;
using Threshold.Adversary;
using Threshold.Aggregator;
using Threshold.Client;
using Threshold.Contracts.V1;
using Curve = Threshold.Curves.Curve;
using Threshold.Node.Protocols;
using Threshold.Server;

namespace Threshold.System.Tests;

/// <summary>
/// A node that cheats in presigning is named, with evidence, to the wallet: left out while t honest
/// nodes sign, and in the failure when too few honest nodes remain. No honest node is ever blamed.
/// </summary>
[Trait("Category", "Slow")]
public sealed class MaliciousNodeTests
{
    public static TheoryData<string> Misbehaviours => ["wrong-delta", "bad-enc-proof"];

    [Theory]
    [MemberData(nameof(Misbehaviours))]
    public async Task TheHonestNodesSignAndTheCheaterIsNamed(string misbehaviour)
    {
        var ct = TestContext.Current.CancellationToken;
        var (deviation, check) = Fault(misbehaviour);
        await using var cluster = await StartAsync(3, deviation, ct);
        await using var client = new ThresholdClient(cluster.WalletApi, cluster.Opaque);
        var key = await NewKeyAsync(client, ct);

        var digest = SHA256.HashData("signed without node-2"u8);
        var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);
        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
        Assert.Equal(["node-1", "node-3"], report.Signers.Order());
        var culprit = Assert.Single(report.Excluded!.Culprits);
        Assert.Equal(("node-2", check), (culprit.NodeId, culprit.Check));
        Assert.NotEmpty(culprit.Evidence);

        // The aggregator now avoids node-2: the next signature needs no detour.
        var next = await client.SignDigestWithReportAsync(key.KeyId, SHA256.HashData("and again"u8), ct);
        Assert.Null(next.Excluded);
        Assert.DoesNotContain("node-2", next.Signers);
    }

    [Theory]
    [MemberData(nameof(Misbehaviours))]
    public async Task WithTooFewHonestNodesTheFailureNamesTheCheater(string misbehaviour)
    {
        var ct = TestContext.Current.CancellationToken;
        var (deviation, check) = Fault(misbehaviour);
        await using var cluster = await StartAsync(2, deviation, ct);
        await using var client = new ThresholdClient(cluster.WalletApi, cluster.Opaque);
        var key = await NewKeyAsync(client, ct);

        var error = await Assert.ThrowsAsync<ThresholdClientException>(() => client.SignDigestAsync(key.KeyId, SHA256.HashData("no signature"u8), ct));
        Assert.Equal(ClientErrorKind.OperationFailed, error.Kind);
        var culprit = Assert.Single(error.Failure!.Culprits);
        Assert.Equal(("node-2", check), (culprit.NodeId, culprit.Check));
        Assert.NotEmpty(culprit.Evidence);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ANodeThatBlamesItsPartnersIsLeftOutInsteadOfThem(bool signedNotice)
    {
        // node-2 walks out of every presigning run blaming whoever it was paired with: either by claiming
        // culprits in its reply to the aggregator, or with an abort notice it signs, without proof either way.
        var ct = TestContext.Current.CancellationToken;
        EmbeddedCluster? started = null;
        await using var cluster = started = await EmbeddedCluster.StartAsync(
            InProcessCluster.Options(3, 2) with
            {
                PoolTarget = 0,
                WrapNodeClient = node => node.NodeId == "node-2" ? new FramingNode(node, signedNotice ? () => started!.Nodes[1].Identity : null) : node,
            },
            ct);
        await using var client = new ThresholdClient(cluster.WalletApi, cluster.Opaque);
        var key = await NewKeyAsync(client, ct);

        // The aggregator judges the evidence itself: node-2's word excludes nobody but node-2.
        var digest = SHA256.HashData("framed"u8);
        var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);
        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
        Assert.Equal(["node-1", "node-3"], report.Signers.Order());
        var excluded = report.Excluded!;
        if (signedNotice)
        {
            var culprit = Assert.Single(excluded.Culprits);
            Assert.Equal(("node-2", Threshold.Rounds.Checks.FalseAccusation), (culprit.NodeId, culprit.Check));
            Assert.Contains("node-1", culprit.NamedBy); // its partner judged the notice alike
        }
        else
        {
            Assert.Empty(excluded.Culprits);
            Assert.Equal(["node-2"], excluded.UnresponsiveNodes);
        }
    }

    [Fact]
    public async Task APartialSignatureIsCountedForTheNodeAskedWhateverIndexItClaims()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await StartWithBadPartials("claims another index", ct);
        await using var client = new ThresholdClient(cluster.WalletApi, cluster.Opaque);
        var key = await NewKeyAsync(client, ct);

        var digest = SHA256.HashData("node-2 says it is node-1"u8);
        var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);
        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
        Assert.Contains("node-2", report.Signers);
    }

    [Theory]
    [InlineData("undecodable")]
    [InlineData("other digest")]
    public async Task AWrongPartialSignatureNamesItsSenderWhoIsThenAvoided(string fault)
    {
        // Undecodable σ_j, or a signer claiming to have signed another digest than the one sealed to it
        // (only the sealed digests count; each σ_j is checked against the digest its signer reports).
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await StartWithBadPartials(fault, ct);
        await using var client = new ThresholdClient(cluster.WalletApi, cluster.Opaque);
        var key = await NewKeyAsync(client, ct);

        var error = await Assert.ThrowsAsync<ThresholdClientException>(() => client.SignDigestAsync(key.KeyId, SHA256.HashData("spoiled"u8), ct));
        var culprit = Assert.Single(error.Failure!.Culprits);
        Assert.Equal(("node-2", "sign.partial"), (culprit.NodeId, culprit.Check));

        var digest = SHA256.HashData("without node-2"u8);
        var report = await client.SignDigestWithReportAsync(key.KeyId, digest, ct);
        Assert.True(InProcessFlowTests.IndependentVerify(key.PublicKey, digest, report.Signature));
        Assert.DoesNotContain("node-2", report.Signers);
    }

    /// <summary>The deviation node-2's presigning party makes (δ_i + 1, or every Πenc with its last byte flipped), and the check that catches it.</summary>
    private static (Misbehaviour Deviation, string Check) Fault(string misbehaviour) => misbehaviour switch
    {
        "wrong-delta" => (Misbehaviour.WrongDelta, PresignChecks.IdentificationDecryption),
        "bad-enc-proof" => (Misbehaviour.BadEncryptionProof, PresignChecks.Encryption),
        _ => throw new ArgumentOutOfRangeException(nameof(misbehaviour)),
    };

    /// <summary>CGGMP21 with a presigning party that deviates from inside, so its own later steps carry the deviation.</summary>
    private static ProtocolSuite Cheating(Misbehaviour deviation) => ProtocolSuite.Cggmp21 with
    {
        Presign = (config, share, aux, identity, rng) => DeviatingParties.CreatePresign(config, share, aux, identity, rng, [deviation], FlipLastByte),
    };

    private static Task<EmbeddedCluster> StartWithBadPartials(string fault, CancellationToken ct) =>
        EmbeddedCluster.StartAsync(
            InProcessCluster.Options(3, 2) with
            {
                PoolTarget = 0,
                WrapNodeClient = node => node.NodeId == "node-2" ? new BadPartialNode(node, fault) : node,
            },
            ct);

    private static Task<EmbeddedCluster> StartAsync(int nodes, Misbehaviour deviation, CancellationToken ct) =>
        EmbeddedCluster.StartAsync(
            InProcessCluster.Options(nodes, 2) with
            {
                PoolTarget = 0,
                OverLoopbackTls = true,
                ConfigureNode = node => node.Identity.NodeId == "node-2" ? node with { Protocols = Cheating(deviation) } : node,
            },
            ct);

    private static async Task<KeyInfo> NewKeyAsync(ThresholdClient client, CancellationToken ct)
    {
        await client.ConnectAsync(ct);
        var password = "watch node-2"u8.ToArray();
        var user = await client.RegisterAsync(password, ct);
        await client.LoginAsync(user, password, cancellationToken: ct);
        return await client.GenerateKeyAsync(Curve.Secp256k1, ct);
    }

    private static byte[] FlipLastByte(byte[] proof)
    {
        var tampered = (byte[])proof.Clone();
        tampered[^1] ^= 1;
        return tampered;
    }

    /// <summary>Answers a partial-signature request with σ that does not decode, or under another party's index.</summary>
    private sealed class BadPartialNode(INodeClient inner, string fault) : DelegatingNodeClient(inner)
    {
        public override async Task<PartialSignResponse> PartialSignAsync(PartialSignRequest request, CancellationToken cancellationToken)
        {
            var partial = await base.PartialSignAsync(request, cancellationToken);
            if (fault == "undecodable")
            {
                partial.Sigma = Google.Protobuf.ByteString.CopyFrom(Enumerable.Repeat((byte)0xff, 32).ToArray()); // above the group order
            }
            else if (fault == "other digest")
            {
                partial.Digest = Google.Protobuf.ByteString.CopyFrom(SHA256.HashData(partial.Digest.Span));
            }
            else
            {
                partial.Party = 1;
            }

            return partial;
        }
    }

    /// <summary>
    /// Walks out of every presigning run naming its partners: as culprits claimed in its reply, or, given
    /// its identity, in an abort notice it signs (with its own round-1 message as "evidence").
    /// </summary>
    private sealed class FramingNode(INodeClient inner, Func<Threshold.Node.Identity.NodeIdentity>? identity) : DelegatingNodeClient(inner)
    {
        public override async Task<ProtocolStep> StartProtocolAsync(StartProtocolRequest request, CancellationToken cancellationToken)
        {
            var step = await base.StartProtocolAsync(request, cancellationToken);
            if (request.Kind != ProtocolKind.Presign)
            {
                return step;
            }

            var own = Threshold.Rounds.RoundMessage.Decode(step.Outgoing.First(m => m.To == 0).Message.Span);
            step.Outgoing.Clear();
            step.Status = ProtocolStatus.Aborted;
            var accusations = request.Parties.Where(p => p != 2).Select(p => new Threshold.Rounds.Culprit((int)p, PresignChecks.Encryption, "made up", [own])).ToList();
            foreach (var party in request.Parties.Where(p => p != 2))
            {
                step.Culprits.Add(new Culprit { NodeId = $"node-{party}", Party = party, Check = PresignChecks.Encryption, Reason = "made up" });
            }

            if (identity is not null)
            {
                var unsigned = new Threshold.Rounds.RoundMessage(own.Protocol, own.SessionId, 1, 2, null, [], [], []) { Kind = Threshold.Rounds.MessageKind.Abort, Complaint = accusations };
                var notice = unsigned with { Signature = identity().Signing.SignHash(unsigned.Digest(), global::System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation) };
                step.AbortNotice = Google.Protobuf.ByteString.CopyFrom(notice.Encode());
                step.Outgoing.Add(new RoutedMessage { From = 2, To = 0, Message = step.AbortNotice });
            }

            return step;
        }
    }
}
