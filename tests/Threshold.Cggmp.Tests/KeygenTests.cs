using Google.Protobuf;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Rounds;
using Threshold.Rounds.Runner;

namespace Threshold.Cggmp.Tests;

public sealed class KeygenTests
{
    public static TheoryData<string, int, int> Settings => new()
    {
        { "secp256k1", 2, 2 },
        { "secp256k1", 2, 3 },
        { "secp256k1", 3, 5 },
        { "P-256", 2, 2 },
        { "P-256", 2, 3 },
        { "P-256", 3, 5 },
        { "secp256k1", 1, 1 },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void EveryPartyGetsAConsistentShareOfOneKey(string curveName, int t, int n)
    {
        var curve = Curve.FromName(curveName);
        var shares = KeygenHarness.Run(curve, t, n, $"keygen {curveName} {t} {n}");
        var key = shares[0].PublicKey;
        Assert.All(shares, s =>
        {
            Assert.Equal(key, s.PublicKey);
            Assert.Equal(t, s.Threshold);
            Assert.Equal(Point.MultiplyGenerator(s.Share.Value), s.PublicShares[s.Index]);
            Assert.Equal(shares[0].Rid, s.Rid);
            Assert.All(shares, other => Assert.Equal(other.PublicShares[s.Index], s.PublicShares[s.Index]));
        });

        // Any t shares interpolate to the secret key; t − 1 do not.
        foreach (var subset in Subsets(Enumerable.Range(1, n).ToList(), t))
        {
            var x = subset.Select(i => Lagrange.Coefficient(curve, i, subset) * shares[i - 1].Share.Value).Aggregate((a, b) => a + b);
            Assert.Equal(key, Point.MultiplyGenerator(x));
        }

        if (t > 1)
        {
            var fewer = Enumerable.Range(1, t - 1).ToList();
            var guess = fewer.Select(i => Lagrange.Coefficient(curve, i, fewer) * shares[i - 1].Share.Value).Aggregate((a, b) => a + b);
            Assert.NotEqual(key, Point.MultiplyGenerator(guess));
        }
    }

    [Fact]
    public void SameSeedSameKey()
    {
        var a = KeygenHarness.Run(Curve.Secp256k1, 2, 3, "repeat");
        var b = KeygenHarness.Run(Curve.Secp256k1, 2, 3, "repeat");
        Assert.Equal(a[0].PublicKey, b[0].PublicKey);
        Assert.NotEqual(a[0].PublicKey, KeygenHarness.Run(Curve.Secp256k1, 2, 3, "other")[0].PublicKey);
    }

    [Fact]
    public void WrongShareIsBlamedOnItsDealerByEveryone()
    {
        var (parties, signers) = KeygenHarness.Create(Curve.Secp256k1, 2, 3, "bad share");
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is not { Sender: 2, Round: 2, Recipient: 3 })
            {
                return m;
            }

            var share = Wire.KeygenShare.Parser.ParseFrom(m.Payload);
            var bytes = share.Share.ToByteArray();
            bytes[^1] ^= 1;
            return Tamper.Resign(m, new Wire.KeygenShare { Share = ByteString.CopyFrom(bytes) }.ToByteArray(), signers[1]);
        });
        AssertAllHonestBlame(report, culprit: 2, KeygenChecks.Share);
    }

    [Fact]
    public void DecommitmentThatDoesNotOpenIsBlamed()
    {
        var (parties, signers) = KeygenHarness.Create(Curve.P256, 2, 3, "bad decommit");
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is not { Sender: 1, Round: 2, IsBroadcast: true })
            {
                return m;
            }

            var d = Wire.KeygenDecommitment.Parser.ParseFrom(m.Payload);
            d.Blinding = ByteString.CopyFrom(new byte[32]);
            return Tamper.Resign(m, d.ToByteArray(), signers[0]);
        });
        AssertAllHonestBlame(report, culprit: 1, KeygenChecks.Decommitment);
    }

    [Fact]
    public void InvalidSchnorrProofIsBlamed()
    {
        var (parties, signers) = KeygenHarness.Create(Curve.Secp256k1, 3, 5, "bad proof");
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is not { Sender: 4, Round: 3, IsBroadcast: true })
            {
                return m;
            }

            var wire = Wire.KeygenProof.Parser.ParseFrom(m.Payload);
            var proof = Threshold.Proofs.SchnorrProof.Proof.Decode(Curve.Secp256k1, wire.Proof.Span);
            var forged = proof with { Z = proof.Z + Scalar.One(Curve.Secp256k1) };
            return Tamper.Resign(m, new Wire.KeygenProof { Proof = ByteString.CopyFrom(forged.Encode()) }.ToByteArray(), signers[3]);
        });
        AssertAllHonestBlame(report, culprit: 4, KeygenChecks.Schnorr);
    }

    [Fact]
    public void EquivocatedCommitmentIsBlamed()
    {
        var (parties, signers) = KeygenHarness.Create(Curve.Secp256k1, 2, 3, "equivocate");
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 3, Round: 1 } && to == 1
                ? Tamper.Resign(m, new Wire.KeygenCommitment { Hash = ByteString.CopyFrom(new byte[32]) }.ToByteArray(), signers[2])
                : m);
        AssertAllHonestBlame(report, culprit: 3, Checks.Equivocation);
    }

    [Fact]
    public void MalformedMessageIsBlamed()
    {
        var (parties, signers) = KeygenHarness.Create(Curve.Secp256k1, 2, 3, "malformed");
        var report = InMemoryNetwork.Run(parties, (m, to) =>
            m is { Sender: 1, Round: 2, Recipient: 2 } ? Tamper.Resign(m, [0x0A, 0x02, 0x01], signers[0]) : m);
        AssertAllHonestBlame(report, culprit: 1, KeygenChecks.Malformed);
    }

    [Fact]
    public void InvalidConfigurationsAreRefused()
    {
        var (signers, directory) = Threshold.Rounds.Signing.EcdsaPartyKeys.Generate(3);
        var identity = new PartyIdentity(signers[0], directory);
        var rng = new Threshold.Randomness.SeededRandom("config");
        Assert.Throws<ArgumentException>(() => Keygen.Create(new KeygenConfig(Curve.P256, 4, [1, 2, 3], [1]), identity, rng));
        Assert.Throws<ArgumentException>(() => Keygen.Create(new KeygenConfig(Curve.P256, 0, [1, 2, 3], [1]), identity, rng));
        Assert.Throws<ArgumentException>(() => Keygen.Create(new KeygenConfig(Curve.P256, 2, [1, 1, 3], [1]), identity, rng));
        Assert.Throws<ArgumentException>(() => Keygen.Create(new KeygenConfig(Curve.P256, 2, [2, 3], [1]), identity, rng));
        Assert.Throws<ArgumentException>(() => Keygen.Create(new KeygenConfig(Curve.P256, 2, [1, 2, 3], []), identity, rng));
    }

    [Fact]
    public void KeySharesNeverPrintTheirSecret()
    {
        var share = KeygenHarness.Run(Curve.P256, 2, 2, "print")[0];
        Assert.DoesNotContain(share.Share.Value.ToHex(), share.ToString(), StringComparison.Ordinal);
    }

    private static void AssertAllHonestBlame(RunReport<KeyShare> report, int culprit, string check)
    {
        foreach (var party in report.Parties.Where(p => p.Index != culprit))
        {
            Assert.Equal(PartyStatus.Aborted, party.Status);
            var blamed = Assert.Single(party.Culprits);
            Assert.Equal(culprit, blamed.Party);
            Assert.Equal(check, blamed.Check);
            Assert.NotEmpty(blamed.Evidence);
        }
    }

    private static IEnumerable<List<int>> Subsets(List<int> items, int size)
    {
        if (size == 0)
        {
            yield return [];
            yield break;
        }

        for (var i = 0; i <= items.Count - size; i++)
        {
            foreach (var rest in Subsets(items.Skip(i + 1).ToList(), size - 1))
            {
                yield return [items[i], .. rest];
            }
        }
    }
}
