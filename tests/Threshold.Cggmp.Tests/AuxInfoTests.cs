using System.Numerics;
using Google.Protobuf;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Rounds;
using Threshold.Rounds.Runner;
using Threshold.Rounds.Signing;
using Threshold.Testing;

namespace Threshold.Cggmp.Tests;

public sealed class AuxInfoTests
{
    private static (List<Party<AuxInfo>> Parties, IReadOnlyList<IMessageSigner> Signers, AuxInfoConfig Config) Create(
        SecurityLevel level, int n, string seed, int? corrupted = null, Func<Provision, Provision>? corrupt = null)
    {
        var (signers, directory) = EcdsaPartyKeys.Generate(n);
        var config = new AuxInfoConfig(level, [.. Enumerable.Range(1, n)], System.Text.Encoding.UTF8.GetBytes("aux " + seed));
        var rng = new SeededRandom(seed);
        var pool = TestPrimes.Pool();
        var parties = Enumerable.Range(1, n).Select(i => AuxInfoProtocol.Create(
            config, new PartyIdentity(signers[i - 1], directory), rng.Fork($"party-{i}"), pool, i == corrupted ? corrupt : null)).ToList();
        return (parties, signers, config);
    }

    [Fact]
    public void EveryPartyLearnsTheSameVerifiedKeys()
    {
        var (parties, _, _) = Create(SecurityLevel.Bits2048, 3, "honest");
        var report = InMemoryNetwork.Run(parties);
        Assert.True(report.AllCompleted);
        var outputs = parties.Select(p => p.Result).ToList();
        foreach (var aux in outputs)
        {
            Assert.Equal(3, aux.PaillierKeys.Count);
            Assert.Equal(aux.PaillierKey.PublicKey, aux.PaillierKeys[aux.Index]);
            Assert.Equal(aux.RingPedersen.Parameters, aux.Setups[aux.Index]);
            Assert.Equal(aux.PaillierKey.N, aux.Setups[aux.Index].N);
            foreach (var other in outputs)
            {
                Assert.Equal(other.PaillierKeys[aux.Index], aux.PaillierKeys[aux.Index]);
                Assert.Equal(other.Setups[aux.Index], aux.Setups[aux.Index]);
            }

            var c = aux.PaillierKeys[aux.Index].Encrypt(42, new SeededRandom("c"), out _);
            Assert.Equal(new BigInteger(42), aux.PaillierKey.Decrypt(c));
        }

        Assert.Equal(3, outputs.Select(o => o.PaillierKey.N).Distinct().Count());
    }

    [Fact]
    public void AnEmptyPoolIsFilledFirstWithProgress()
    {
        var (signers, directory) = EcdsaPartyKeys.Generate(1);
        var config = new AuxInfoConfig(SecurityLevel.Bits2048, [1], "aux empty pool"u8.ToArray());
        var reports = new List<Threshold.Primes.SafePrimeProgress>();
        var pool = new Threshold.Primes.PrimePool();
        var party = AuxInfoProtocol.Create(config, new PartyIdentity(signers[0], directory), new SeededRandom("empty pool"), pool, new Relay(reports.Add), TestContext.Current.CancellationToken);
        Assert.True(InMemoryNetwork.Run([party]).AllCompleted);
        Assert.Contains(reports, r => r.Found == 2 && r.Wanted == 2);
        Assert.Equal(0, pool.Count(1024));
        Assert.Equal(2048, party.Result.PaillierKey.PublicKey.Bits);
    }

    private sealed class Relay(Action<Threshold.Primes.SafePrimeProgress> report) : IProgress<Threshold.Primes.SafePrimeProgress>
    {
        public void Report(Threshold.Primes.SafePrimeProgress value) => report(value);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void WorksAtTheHigherLevel()
    {
        var (parties, _, _) = Create(SecurityLevel.Bits3072, 2, "3072");
        Assert.True(InMemoryNetwork.Run(parties).AllCompleted);
        Assert.All(parties, p => Assert.Equal(3072, p.Result.PaillierKey.PublicKey.Bits));
    }

    [Fact]
    public void BadRingPedersenProofIsBlamed()
    {
        var (parties, _, _) = Create(SecurityLevel.Bits2048, 3, "bad prm", corrupted: 2, corrupt: p =>
            p with { PrmProof = p.PrmProof with { Z = [p.PrmProof.Z[0] + 1, .. p.PrmProof.Z.Skip(1)] } });
        AssertAllHonestBlame(InMemoryNetwork.Run(parties), 2, AuxInfoChecks.RingPedersen);
    }

    [Fact]
    public void BadModulusProofIsBlamed()
    {
        var (parties, signers, config) = Create(SecurityLevel.Bits2048, 3, "bad mod");
        var moduli = new Dictionary<int, BigInteger>();
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is { Round: 2, IsBroadcast: true })
            {
                moduli[m.Sender] = Provision.Decode(config, m.Payload).Setup.N;
            }

            if (m is not { Sender: 3, Round: 3, IsBroadcast: true })
            {
                return m;
            }

            var statement = PaillierBlumModulusProof.Statement.For(new PaillierPublicKey(moduli[3]), config.Level);
            var wire = Wire.AuxInfoModulusProof.Parser.ParseFrom(m.Payload);
            var proof = PaillierBlumModulusProof.Proof.Decode(statement, wire.Proof.Span);
            var first = proof.Repetitions[0];
            var forged = proof with { Repetitions = [first with { Z = (first.Z + 1) % moduli[3] }, .. proof.Repetitions.Skip(1)] };
            return Tamper.Resign(m, new Wire.AuxInfoModulusProof { Proof = ByteString.CopyFrom(forged.Encode()) }.ToByteArray(), signers[2]);
        });
        AssertAllHonestBlame(report, 3, AuxInfoChecks.Modulus);
    }

    [Fact]
    public void BadFactorProofToOnePartyIsBlamedByAll()
    {
        var (parties, signers, config) = Create(SecurityLevel.Bits2048, 3, "bad fac");
        var setups = new Dictionary<int, RingPedersenParameters>();
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is { Round: 2, IsBroadcast: true })
            {
                setups[m.Sender] = Provision.Decode(config, m.Payload).Setup;
            }

            if (m is not { Sender: 1, Round: 3, Recipient: 2 })
            {
                return m;
            }

            var statement = new NoSmallFactorProof.Statement(new PaillierPublicKey(setups[1].N), setups[2], config.Level);
            var proof = NoSmallFactorProof.Proof.Decode(statement, Wire.AuxInfoFactorProof.Parser.ParseFrom(m.Payload).Proof.Span);
            var forged = proof with { Z1 = proof.Z1 + 1 };
            return Tamper.Resign(m, new Wire.AuxInfoFactorProof { Proof = ByteString.CopyFrom(forged.Encode()) }.ToByteArray(), signers[0]);
        });
        AssertAllHonestBlame(report, 1, AuxInfoChecks.Factors);
    }

    [Fact]
    public void OpeningThatDoesNotMatchItsCommitmentIsBlamed()
    {
        var (parties, signers, _) = Create(SecurityLevel.Bits2048, 3, "bad open");
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is not { Sender: 2, Round: 2, IsBroadcast: true })
            {
                return m;
            }

            var d = Wire.AuxInfoDecommitment.Parser.ParseFrom(m.Payload);
            d.Rho = ByteString.CopyFrom(new byte[32]);
            return Tamper.Resign(m, d.ToByteArray(), signers[1]);
        });
        AssertAllHonestBlame(report, 2, AuxInfoChecks.Decommitment);
    }

    [Fact]
    public void ModulusOfTheWrongSizeIsMalformed()
    {
        var (parties, signers, _) = Create(SecurityLevel.Bits2048, 2, "small N");
        var report = InMemoryNetwork.Run(parties, (m, to) =>
        {
            if (m is not { Sender: 2, Round: 2, IsBroadcast: true })
            {
                return m;
            }

            var d = Wire.AuxInfoDecommitment.Parser.ParseFrom(m.Payload);
            d.N = ByteString.CopyFrom(TestPrimes.PaillierKey(SecurityLevel.Bits3072, 7).N.ToByteArray(isUnsigned: true, isBigEndian: true));
            return Tamper.Resign(m, d.ToByteArray(), signers[1]);
        });
        AssertAllHonestBlame(report, 2, AuxInfoChecks.Malformed);
    }

    private static void AssertAllHonestBlame(RunReport<AuxInfo> report, int culprit, string check)
    {
        foreach (var party in report.Parties.Where(p => p.Index != culprit))
        {
            Assert.Equal(PartyStatus.Aborted, party.Status);
            var blamed = Assert.Single(party.Culprits);
            Assert.Equal(culprit, blamed.Party);
            Assert.Equal(check, blamed.Check);
        }
    }
}
