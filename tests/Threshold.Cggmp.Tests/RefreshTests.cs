using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Cggmp.Signing;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Rounds;
using Threshold.Rounds.Runner;
using Threshold.Testing;

namespace Threshold.Cggmp.Tests;

public sealed class RefreshTests
{
    private static (List<Party<KeyShare>> Parties, Cluster Cluster) Refresh(Curve curve, int t, int n, string seed)
    {
        var cluster = Cluster.Get(curve, t, n);
        var rng = new SeededRandom(seed);
        var parties = cluster.Shares.Select(s => KeyRefresh.Create(
            s, System.Text.Encoding.UTF8.GetBytes("refresh " + seed), new PartyIdentity(cluster.Signers[s.Index - 1], cluster.Directory), rng.Fork($"party-{s.Index}"))).ToList();
        return (parties, cluster);
    }

    [Fact]
    public void RefreshKeepsTheKeyAndRetiresTheOldShares()
    {
        var (parties, cluster) = Refresh(Curve.Secp256k1, 2, 3, "keeps the key");
        Assert.True(InMemoryNetwork.Run(parties).AllCompleted);
        var fresh = parties.Select(p => p.Result).ToList();
        var curve = Curve.Secp256k1;
        Assert.All(fresh, s =>
        {
            Assert.Equal(cluster.PublicKey, s.PublicKey);
            Assert.Equal(Point.MultiplyGenerator(s.Share.Value), s.PublicShares[s.Index]);
            Assert.NotEqual(cluster.Shares[s.Index - 1].Share.Value, s.Share.Value);
        });

        Scalar Combine(IReadOnlyList<(int Index, Scalar Share)> shares) =>
            shares.Select(s => Lagrange.Coefficient(curve, s.Index, [.. shares.Select(x => x.Index)]) * s.Share).Aggregate((a, b) => a + b);

        Assert.Equal(cluster.PublicKey, Point.MultiplyGenerator(Combine([(1, fresh[0].Share.Value), (3, fresh[2].Share.Value)])));
        var mixed = Combine([(1, cluster.Shares[0].Share.Value), (3, fresh[2].Share.Value)]);
        Assert.NotEqual(cluster.PublicKey, Point.MultiplyGenerator(mixed));
    }

    [Fact]
    public void RefreshedSharesWithFreshAuxInfoSign()
    {
        var (parties, cluster) = Refresh(Curve.P256, 2, 2, "signs after");
        Assert.True(InMemoryNetwork.Run(parties).AllCompleted);
        var shares = parties.Select(p => p.Result).ToList();

        var auxConfig = new AuxInfoConfig(SecurityLevel.Bits2048, [1, 2], "refresh aux"u8.ToArray());
        var pool = TestPrimes.Pool();
        for (var skip = 0; skip < 4; skip++)
        {
            pool.Take(1024, TestContext.Current.CancellationToken).Dispose(); // new Paillier keys, not the ones the cluster used
        }

        var rng = new SeededRandom("refresh aux");
        var auxParties = shares.Select(s => AuxInfoProtocol.Create(auxConfig, new PartyIdentity(cluster.Signers[s.Index - 1], cluster.Directory), rng.Fork($"{s.Index}"), pool)).ToList();
        Assert.True(InMemoryNetwork.Run(auxParties).AllCompleted);
        var aux = auxParties.Select(p => p.Result).ToList();
        Assert.NotEqual(cluster.Aux[0].PaillierKey.N, aux[0].PaillierKey.N);

        var presignConfig = new PresignConfig([1, 2], "after refresh"u8.ToArray());
        var presign = shares.Select(s => Presign.Create(presignConfig, s, aux[s.Index - 1], new PartyIdentity(cluster.Signers[s.Index - 1], cluster.Directory), rng.Fork($"presign {s.Index}"))).ToList();
        Assert.True(InMemoryNetwork.Run(presign).AllCompleted);
        var digest = SHA256.HashData("signed after a refresh"u8);
        var signature = SignatureCombiner.Combine(presign[0].Result.Commitments, digest, [.. presign.Select(p => p.Result.Sign(digest))]);
        Assert.True(SigningTests.IndependentVerify(cluster.PublicKey, digest, signature));
    }

    [Fact]
    public void KeyGenerationRefusesARefreshConfiguration()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        var config = new KeygenConfig(Curve.Secp256k1, 2, [1, 2, 3], [1], cluster.PublicKey);
        var error = Assert.Throws<ArgumentException>(() => Keygen.Create(config, new PartyIdentity(cluster.Signers[0], cluster.Directory), new SeededRandom("x")));
        Assert.Contains("KeyRefresh", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadRefreshShareIsBlamed()
    {
        var (parties, cluster) = Refresh(Curve.Secp256k1, 3, 5, "bad refresh share");
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is not { Sender: 5, Round: 2, Recipient: 1 })
            {
                return m;
            }

            var share = Wire.KeygenShare.Parser.ParseFrom(m.Payload);
            var bytes = share.Share.ToByteArray();
            bytes[^1] ^= 1;
            return Tamper.Resign(m, new Wire.KeygenShare { Share = ByteString.CopyFrom(bytes) }.ToByteArray(), cluster.Signers[4]);
        });
        foreach (var party in report.Parties.Where(p => p.Index != 5))
        {
            Assert.Equal(PartyStatus.Aborted, party.Status);
            var culprit = Assert.Single(party.Culprits);
            Assert.Equal(5, culprit.Party);
            Assert.Equal(KeygenChecks.Share, culprit.Check);
        }
    }
}
