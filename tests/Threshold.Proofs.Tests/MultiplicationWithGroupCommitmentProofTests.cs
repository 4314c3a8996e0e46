using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Randomness;
using static Threshold.Proofs.Tests.IdentificationTestKit;
using MulStar = Threshold.Proofs.MultiplicationWithGroupCommitmentProof;

namespace Threshold.Proofs.Tests;

public sealed class MultiplicationWithGroupCommitmentProofTests
{
    private static readonly Lazy<(MulStar.Statement Statement, MulStar.Witness Witness, MulStar.Proof Proof)> Shared = new(() =>
    {
        var rng = new SeededRandom("mulstar shared");
        var (statement, witness) = Instance(SecurityLevel.Bits2048, Curve.Secp256k1, rng);
        return (statement, witness, MulStar.Prove(Context, statement, witness, rng, ProverKey(SecurityLevel.Bits2048)));
    });

    /// <summary>As in signing: C = K_i = enc(k_i), x = x_i, X = X_i = g^(x_i), D = Ĥ_i = K_i^(x_i) · ρ^N.</summary>
    internal static (MulStar.Statement Statement, MulStar.Witness Witness) Instance(SecurityLevel level, Curve curve, SeededRandom rng, BigInteger? share = null, Point? claimedPoint = null)
    {
        var key = ProverKey(level).PublicKey;
        var x = share ?? Sampling.Below(rng, curve.Order);
        var c = key.Encrypt(Sampling.Below(rng, curve.Order), rng, out _);
        var rho = key.SampleNonce(rng);
        var d = key.Add(key.Multiply(c, x), key.Encrypt(0, rho));
        var point = claimedPoint ?? Point.MultiplyGenerator(Scalar.FromValue(curve, x));
        return (new MulStar.Statement(key, c, d, point, VerifierSetup(level).Parameters, level), new MulStar.Witness(x, rho));
    }

    [Theory]
    [MemberData(nameof(LevelsAndCurves), MemberType = typeof(IdentificationTestKit))]
    public void HonestProofVerifies(string levelName, string curveName)
    {
        var level = SecurityLevel.FromName(levelName);
        var rng = new SeededRandom($"mulstar {levelName} {curveName}");
        var (statement, witness) = Instance(level, CurveNamed(curveName), rng);
        using (witness)
        {
            var proof = MulStar.Prove(Context, statement, witness, rng, ProverKey(level));
            Assert.Equal(Verdict.Valid, MulStar.Verify(Context, statement, proof, VerifierSetup(level)));
            Assert.Equal(Verdict.Valid, MulStar.Verify(Context, statement, proof));
        }
    }

    [Fact]
    public void ProverWithoutTheSecretKeyAndNegativeWitnessVerify()
    {
        var rng = new SeededRandom("mulstar public prover");
        var curve = Curve.P256;
        var (statement, witness) = Instance(SecurityLevel.Bits2048, curve, rng, -(BigInteger.One << 200) - 17);
        using (witness)
        {
            var proof = MulStar.Prove(Context, statement, witness, rng);
            Assert.Equal(Verdict.Valid, MulStar.Verify(Context, statement, proof, VerifierSetup(SecurityLevel.Bits2048)));
        }
    }

    [Fact]
    public void RecoveredWitnessProves()
    {
        var rng = new SeededRandom("mulstar recover");
        var (statement, original) = Instance(SecurityLevel.Bits2048, Curve.Secp256k1, rng);
        var key = ProverKey(SecurityLevel.Bits2048);
        using var recovered = MulStar.Witness.Recover(key, statement, original.X.Value);
        Assert.Equal(original.Rho.Value, recovered.Rho.Value);
        Assert.True(MulStar.Verify(Context, statement, MulStar.Prove(Context, statement, recovered, rng, key)).IsValid);
        original.Dispose();
    }

    [Fact]
    public void WitnessOutsideTheRangeIsRefused()
    {
        var rng = new SeededRandom("mulstar range witness");
        var (statement, witness) = Instance(SecurityLevel.Bits2048, Curve.Secp256k1, rng, (BigInteger.One << 256) + 1);
        using (witness)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => MulStar.Prove(Context, statement, witness, rng));
        }
    }

    [Fact]
    public void StatementCiphertextsMustBeUnitsOfTheKey()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(MulStar.Checks.Statement, MulStar.Verify(Context, statement with { C = NotCoprimeCiphertext() }, proof).FailedCheck);
        Assert.Equal(MulStar.Checks.Statement, MulStar.Verify(Context, statement with { D = TooLargeCiphertext() }, proof).FailedCheck);
    }

    [Fact]
    public void GroupCommitmentOnAnotherCurveIsRejected()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(MulStar.Checks.Curve, MulStar.Verify(Context, statement, proof with { Bx = Curve.P256.Generator }).FailedCheck);
    }

    [Theory]
    [InlineData("A not coprime")]
    [InlineData("w zero")]
    [InlineData("w too large")]
    [InlineData("E not coprime")]
    [InlineData("S zero")]
    [InlineData("S too large")]
    public void ProofValuesMustBeUnits(string tamper)
    {
        var (statement, _, proof) = Shared.Value;
        var p = ProverKey(SecurityLevel.Bits2048).P;
        var verifierPrime = VerifierKeyPrime();
        var tampered = tamper switch
        {
            "A not coprime" => proof with { A = p },
            "w zero" => proof with { W = 0 },
            "w too large" => proof with { W = statement.Key.N },
            "E not coprime" => proof with { E = verifierPrime },
            "S zero" => proof with { S = 0 },
            "S too large" => proof with { S = statement.VerifierSetup.N + 2 },
            _ => throw new ArgumentException(tamper),
        };
        Assert.Equal(MulStar.Checks.Units, MulStar.Verify(Context, statement, tampered).FailedCheck);
    }

    [Fact]
    public void ResponseOutsideTheRangeFailsTheRangeCheck()
    {
        var (statement, _, proof) = Shared.Value;
        var bound = BigInteger.One << (SecurityLevel.Bits2048.Ell + SecurityLevel.Bits2048.Epsilon);
        Assert.Equal(MulStar.Checks.RangeZ1, MulStar.Verify(Context, statement, proof with { Z1 = bound + 1 }).FailedCheck);
        Assert.Equal(MulStar.Checks.RangeZ1, MulStar.Verify(Context, statement, proof with { Z1 = -bound - 1 }).FailedCheck);
    }

    [Fact]
    public void TamperedWFailsOnlyThePaillierEquality()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(MulStar.Checks.Equality1, MulStar.Verify(Context, statement, proof with { W = Twice(proof.W, statement.Key.N) }).FailedCheck);
    }

    [Fact]
    public void WrongPointFailsOnlyTheGroupEquality()
    {
        // The prover's ciphertexts are consistent with x, but X is the point of x + 1.
        var rng = new SeededRandom("mulstar wrong point");
        var curve = Curve.Secp256k1;
        var x = Sampling.Below(rng, curve.Order);
        var (statement, witness) = Instance(SecurityLevel.Bits2048, curve, rng, x, Point.MultiplyGenerator(Scalar.FromValue(curve, x + 1)));
        using (witness)
        {
            var proof = MulStar.Prove(Context, statement, witness, rng, ProverKey(SecurityLevel.Bits2048));
            Assert.Equal(MulStar.Checks.Equality2, MulStar.Verify(Context, statement, proof, VerifierSetup(SecurityLevel.Bits2048)).FailedCheck);
        }
    }

    [Fact]
    public void TamperedZ2FailsOnlyTheRingPedersenEquality()
    {
        var (statement, _, proof) = Shared.Value;
        var tampered = proof with { Z2 = proof.Z2 + 1 };
        Assert.Equal(MulStar.Checks.Equality3, MulStar.Verify(Context, statement, tampered).FailedCheck);
        Assert.Equal(MulStar.Checks.Equality3, MulStar.Verify(Context, statement, tampered, VerifierSetup(SecurityLevel.Bits2048)).FailedCheck);
    }

    [Fact]
    public void FalsePaillierStatementFailsThePaillierEquality()
    {
        var (statement, _, proof) = Shared.Value;
        var key = statement.Key;
        var wrongD = key.Add(statement.D, key.Encrypt(1, key.SampleNonce(new SeededRandom("d"))));
        Assert.Equal(MulStar.Checks.Equality1, MulStar.Verify(Context, statement with { D = wrongD }, proof).FailedCheck);
    }

    [Fact]
    public void ProofIsBoundToSessionProverVerifierSetupAndLevel()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(Verdict.Valid, MulStar.Verify(Context, statement, proof));
        Assert.False(MulStar.Verify(OtherSession, statement, proof).IsValid);
        Assert.False(MulStar.Verify(OtherProver, statement, proof).IsValid);
        var otherSetup = OtherVerifierSetup(SecurityLevel.Bits2048);
        Assert.False(MulStar.Verify(Context, statement with { VerifierSetup = otherSetup.Parameters }, proof, otherSetup).IsValid);
        Assert.False(MulStar.Verify(Context, statement with { Level = SecurityLevel.Bits3072 }, proof).IsValid);
    }

    [Fact]
    public void MismatchedSecretsAreProgrammingErrors()
    {
        var (statement, witness, proof) = Shared.Value;
        Assert.Throws<ArgumentException>(() => MulStar.Verify(Context, statement, proof, OtherVerifierSetup(SecurityLevel.Bits2048)));
        Assert.Throws<ArgumentException>(() => MulStar.Prove(Context, statement, witness, new SeededRandom("k"), OtherKey(SecurityLevel.Bits2048)));
    }

    [Fact]
    public void EncodingRoundTrips()
    {
        var (statement, _, proof) = Shared.Value;
        var decoded = MulStar.Proof.Decode(statement, proof.Encode());
        Assert.Equal(proof, decoded);
        Assert.Equal(Verdict.Valid, MulStar.Verify(Context, statement, decoded, VerifierSetup(SecurityLevel.Bits2048)));
    }

    [Fact]
    public void MalformedEncodingsAreRejectedWithTypedErrors()
    {
        var (statement, _, proof) = Shared.Value;
        var encoded = proof.Encode();
        var level = SecurityLevel.Bits2048;
        var parser = Wire.MultiplicationWithGroupCommitmentProof.Parser;
        Rejects(DecodingError.Malformed, () => MulStar.Proof.Decode(statement, encoded.AsSpan(0, encoded.Length - 5)));
        Rejects(DecodingError.Malformed, () => MulStar.Proof.Decode(statement, Edit(parser, encoded, m => m.Z1 = Google.Protobuf.ByteString.CopyFrom(1))));
        Rejects(DecodingError.OutOfRange, () => MulStar.Proof.Decode(statement, Edit(parser, encoded, m => m.Z1 = SignedBytes(BigInteger.One << (level.Ell + level.Epsilon + 1)))));
        Rejects(DecodingError.OutOfRange, () => MulStar.Proof.Decode(statement, Edit(parser, encoded, m => m.Z2 = SignedBytes(-(BigInteger.One << (level.Ell + level.Epsilon + 2 + 2048))))));
        Rejects(DecodingError.NotOnCurve, () => MulStar.Proof.Decode(statement, Edit(parser, encoded, m => m.BX = OffCurvePoint())));
        Rejects(DecodingError.Identity, () => MulStar.Proof.Decode(statement, Edit(parser, encoded, m => m.BX = Google.Protobuf.ByteString.CopyFrom(0))));
        Rejects(DecodingError.NotCoprime, () => MulStar.Proof.Decode(statement, Edit(parser, encoded, m => m.E = Bytes(VerifierKeyPrime()))));
        Rejects(DecodingError.OutOfRange, () => MulStar.Proof.Decode(statement, Edit(parser, encoded, m => m.S = Bytes(statement.VerifierSetup.N))));
        Rejects(DecodingError.OutOfRange, () => MulStar.Proof.Decode(statement, Edit(parser, encoded, m => m.W = Google.Protobuf.ByteString.Empty)));
        Rejects(DecodingError.NotCoprime, () => MulStar.Proof.Decode(statement, Edit(parser, encoded, m => m.A = Bytes(ProverKey(level).Q))));
    }

    private static BigInteger VerifierKeyPrime() => Testing.TestPrimes.PaillierKey(SecurityLevel.Bits2048, 1).P;
}
