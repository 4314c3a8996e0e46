using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Randomness;
using static Threshold.Proofs.Tests.IdentificationTestKit;
using Mul = Threshold.Proofs.PaillierMultiplicationProof;

namespace Threshold.Proofs.Tests;

public sealed class PaillierMultiplicationProofTests
{
    private static readonly Lazy<(Mul.Statement Statement, Mul.Witness Witness, Mul.Proof Proof)> Shared = new(() =>
    {
        var rng = new SeededRandom("mul shared");
        var (statement, witness) = Instance(SecurityLevel.Bits2048, Curve.Secp256k1, rng);
        return (statement, witness, Mul.Prove(Context, statement, witness, rng, ProverKey(SecurityLevel.Bits2048)));
    });

    /// <summary>As in presigning: X = K_i = enc(k_i), Y = G_i = enc(γ_i), C = H_i = G_i^(k_i) · ρ^N.</summary>
    private static (Mul.Statement Statement, Mul.Witness Witness) Instance(SecurityLevel level, Curve curve, SeededRandom rng, BigInteger? plaintext = null, BigInteger? claimed = null)
    {
        var key = ProverKey(level).PublicKey;
        var x = plaintext ?? Sampling.Below(rng, curve.Order);
        var bigX = key.Encrypt(x, rng, out var rhoX);
        var y = key.Encrypt(Sampling.Below(rng, curve.Order), rng, out _);
        var rho = key.SampleNonce(rng);
        var c = key.Add(key.Multiply(y, claimed ?? x), key.Encrypt(0, rho));
        return (new Mul.Statement(key, bigX, y, c, curve), new Mul.Witness(x, rho, rhoX));
    }

    [Theory]
    [MemberData(nameof(LevelsAndCurves), MemberType = typeof(IdentificationTestKit))]
    public void HonestProofVerifies(string levelName, string curveName)
    {
        var level = SecurityLevel.FromName(levelName);
        var rng = new SeededRandom($"mul {levelName} {curveName}");
        var (statement, witness) = Instance(level, CurveNamed(curveName), rng);
        using (witness)
        {
            var proof = Mul.Prove(Context, statement, witness, rng, ProverKey(level));
            Assert.Equal(Verdict.Valid, Mul.Verify(Context, statement, proof));
        }
    }

    [Fact]
    public void ProverWithoutTheSecretKeyProducesAValidProof()
    {
        var rng = new SeededRandom("mul public prover");
        var (statement, witness) = Instance(SecurityLevel.Bits2048, Curve.P256, rng);
        using (witness)
        {
            var proof = Mul.Prove(Context, statement, witness, rng);
            Assert.Equal(Verdict.Valid, Mul.Verify(Context, statement, proof));
        }
    }

    [Fact]
    public void RecoveredWitnessProves()
    {
        var rng = new SeededRandom("mul recover");
        var (statement, original) = Instance(SecurityLevel.Bits2048, Curve.Secp256k1, rng);
        var key = ProverKey(SecurityLevel.Bits2048);
        using var recovered = Mul.Witness.Recover(key, statement);
        Assert.Equal(original.X.Value, recovered.X.Value);
        Assert.Equal(original.Rho.Value, recovered.Rho.Value);
        Assert.Equal(original.RhoX.Value, recovered.RhoX.Value);
        Assert.True(Mul.Verify(Context, statement, Mul.Prove(Context, statement, recovered, rng, key)).IsValid);
        original.Dispose();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PlaintextsAsLargeAsTheModulusStillGiveACanonicalProof(bool withKey)
    {
        // x near N: e·x is far larger than N, so z = α + e·x mod N and k carries the quotient.
        var rng = new SeededRandom("mul large x " + withKey);
        var key = ProverKey(SecurityLevel.Bits2048);
        var (statement, witness) = Instance(SecurityLevel.Bits2048, Curve.Secp256k1, rng, key.N - 12345);
        using (witness)
        {
            var proof = Mul.Prove(Context, statement, witness, rng, withKey ? key : null);
            Assert.InRange(proof.Z, BigInteger.Zero, key.N - 1);
            Assert.Equal(Verdict.Valid, Mul.Verify(Context, statement, proof));
        }
    }

    [Fact]
    public void FalseStatementFailsTheFirstEquality()
    {
        var rng = new SeededRandom("mul false");
        var curve = Curve.Secp256k1;
        var x = Sampling.Below(rng, curve.Order);
        var (statement, witness) = Instance(SecurityLevel.Bits2048, curve, rng, x, x + 1);
        using (witness)
        {
            var proof = Mul.Prove(Context, statement, witness, rng, ProverKey(SecurityLevel.Bits2048));
            Assert.Equal(Mul.Checks.Equality1, Mul.Verify(Context, statement, proof).FailedCheck);
        }
    }

    [Fact]
    public void StatementCiphertextsMustBeUnitsOfTheKey()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(Mul.Checks.Statement, Mul.Verify(Context, statement with { C = NotCoprimeCiphertext() }, proof).FailedCheck);
        Assert.Equal(Mul.Checks.Statement, Mul.Verify(Context, statement with { X = TooLargeCiphertext() }, proof).FailedCheck);
        Assert.Equal(Mul.Checks.Statement, Mul.Verify(Context, statement with { Y = NotCoprimeCiphertext() }, proof).FailedCheck);
    }

    [Theory]
    [InlineData("A zero")]
    [InlineData("A not coprime")]
    [InlineData("B too large")]
    [InlineData("u zero")]
    [InlineData("u not coprime")]
    [InlineData("v too large")]
    public void ProofValuesMustBeUnits(string tamper)
    {
        var (statement, _, proof) = Shared.Value;
        var p = ProverKey(SecurityLevel.Bits2048).P;
        var n = statement.Key.N;
        var tampered = tamper switch
        {
            "A zero" => proof with { A = 0 },
            "A not coprime" => proof with { A = p },
            "B too large" => proof with { B = statement.Key.NSquared + 1 },
            "u zero" => proof with { U = 0 },
            "u not coprime" => proof with { U = p },
            "v too large" => proof with { V = n + 1 },
            _ => throw new ArgumentException(tamper),
        };
        Assert.Equal(Mul.Checks.Units, Mul.Verify(Context, statement, tampered).FailedCheck);
    }

    [Fact]
    public void ResponseOutsideZNFailsTheRangeCheck()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(Mul.Checks.RangeZ, Mul.Verify(Context, statement, proof with { Z = proof.Z + statement.Key.N }).FailedCheck);
        Assert.Equal(Mul.Checks.RangeZ, Mul.Verify(Context, statement, proof with { Z = -1 }).FailedCheck);
    }

    [Fact]
    public void TamperedUFailsOnlyTheFirstEquality()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(Mul.Checks.Equality1, Mul.Verify(Context, statement, proof with { U = Twice(proof.U, statement.Key.N) }).FailedCheck);
    }

    [Fact]
    public void TamperedVFailsTheSecondEquality()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(Mul.Checks.Equality2, Mul.Verify(Context, statement, proof with { V = Twice(proof.V, statement.Key.N) }).FailedCheck);
    }

    [Fact]
    public void TamperedCommitmentsAndResponseFail()
    {
        var (statement, _, proof) = Shared.Value;
        var n = statement.Key.N;
        var n2 = statement.Key.NSquared;
        Assert.Equal(Mul.Checks.Equality1, Mul.Verify(Context, statement, proof with { A = proof.A * (n + 1) % n2 }).FailedCheck);
        Assert.False(Mul.Verify(Context, statement, proof with { B = proof.B * (n + 1) % n2 }).IsValid);
        Assert.Equal(Mul.Checks.Equality1, Mul.Verify(Context, statement, proof with { Z = (proof.Z + 1) % n }).FailedCheck);
    }

    [Fact]
    public void ProofIsBoundToSessionProverCurveAndStatement()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(Verdict.Valid, Mul.Verify(Context, statement, proof));
        Assert.False(Mul.Verify(OtherSession, statement, proof).IsValid);
        Assert.False(Mul.Verify(OtherProver, statement, proof).IsValid);
        Assert.False(Mul.Verify(Context, statement with { Curve = Curve.P256 }, proof).IsValid);
        var key = statement.Key;
        Assert.False(Mul.Verify(Context, statement with { Y = key.Add(statement.Y, key.Encrypt(1, key.SampleNonce(new SeededRandom("y")))) }, proof).IsValid);
    }

    [Fact]
    public void OwnerKeyMustMatchTheStatement()
    {
        var (statement, witness, _) = Shared.Value;
        var other = OtherKey(SecurityLevel.Bits2048);
        Assert.Throws<ArgumentException>(() => Mul.Prove(Context, statement, witness, new SeededRandom("k"), other));
        Assert.Throws<ArgumentException>(() => Mul.Witness.Recover(other, statement));
    }

    [Fact]
    public void WitnessNeverPrintsItsValues()
    {
        var (_, witness, _) = Shared.Value;
        Assert.DoesNotContain(witness.X.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), witness.ToString(), StringComparison.Ordinal);
        Assert.Equal("[secret]", witness.X.ToString());
    }

    [Fact]
    public void EncodingRoundTrips()
    {
        var (statement, _, proof) = Shared.Value;
        var decoded = Mul.Proof.Decode(statement, proof.Encode());
        Assert.Equal(proof, decoded);
        Assert.Equal(Verdict.Valid, Mul.Verify(Context, statement, decoded));
    }

    [Fact]
    public void MalformedEncodingsAreRejectedWithTypedErrors()
    {
        var (statement, _, proof) = Shared.Value;
        var encoded = proof.Encode();
        var key = statement.Key;
        var p = ProverKey(SecurityLevel.Bits2048).P;
        var parser = Wire.PaillierMultiplicationProof.Parser;
        Rejects(DecodingError.Malformed, () => Mul.Proof.Decode(statement, encoded.AsSpan(0, encoded.Length - 7)));
        Rejects(DecodingError.Malformed, () => Mul.Proof.Decode(statement, [0xFF, 0xFF, 0xFF]));
        Rejects(DecodingError.Malformed, () => Mul.Proof.Decode(statement, Edit(parser, encoded, m => m.Z = Google.Protobuf.ByteString.CopyFrom([0, .. m.Z.ToByteArray()]))));
        Rejects(DecodingError.OutOfRange, () => Mul.Proof.Decode(statement, Edit(parser, encoded, m => m.Z = Bytes(key.N))));
        Rejects(DecodingError.OutOfRange, () => Mul.Proof.Decode(statement, Edit(parser, encoded, m => m.A = Bytes(key.NSquared))));
        Rejects(DecodingError.OutOfRange, () => Mul.Proof.Decode(statement, Edit(parser, encoded, m => m.B = Google.Protobuf.ByteString.Empty)));
        Rejects(DecodingError.OutOfRange, () => Mul.Proof.Decode(statement, Edit(parser, encoded, m => m.V = Bytes(BigInteger.One << 5000))));
        Rejects(DecodingError.NotCoprime, () => Mul.Proof.Decode(statement, Edit(parser, encoded, m => m.U = Bytes(p))));
        Rejects(DecodingError.NotCoprime, () => Mul.Proof.Decode(statement, Edit(parser, encoded, m => m.A = Bytes(p * 7))));
    }
}
