using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Randomness;
using static Threshold.Proofs.Tests.IdentificationTestKit;
using Dec = Threshold.Proofs.DecryptionModuloQProof;

namespace Threshold.Proofs.Tests;

public sealed class DecryptionModuloQProofTests
{
    /// <summary>ℓ_y used by most tests: the size of an honest δ_i with up to 256 parties (ℓ' + 2 + 8).</summary>
    private const int PlaintextBits = 1290;

    private static readonly Lazy<(Dec.Statement Statement, Dec.Witness Witness, Dec.Proof Proof)> Shared = new(() =>
    {
        var rng = new SeededRandom("dec shared");
        var (statement, witness) = Instance(SecurityLevel.Bits2048, Curve.Secp256k1, rng);
        return (statement, witness, Dec.Prove(Context, statement, witness, rng, ProverKey(SecurityLevel.Bits2048)));
    });

    internal static (Dec.Statement Statement, Dec.Witness Witness) Instance(SecurityLevel level, Curve curve, SeededRandom rng, int plaintextBits = PlaintextBits, BigInteger? plaintext = null)
    {
        var key = ProverKey(level).PublicKey;
        var y = plaintext ?? Sampling.Signed(rng, plaintextBits);
        var c = key.Encrypt(y, rng, out var rho);
        var statement = new Dec.Statement(key, c, Scalar.FromValue(curve, y), VerifierSetup(level).Parameters, level, plaintextBits);
        return (statement, new Dec.Witness(y, rho));
    }

    [Theory]
    [MemberData(nameof(LevelsAndCurves), MemberType = typeof(IdentificationTestKit))]
    public void HonestProofVerifies(string levelName, string curveName)
    {
        var level = SecurityLevel.FromName(levelName);
        var rng = new SeededRandom($"dec {levelName} {curveName}");
        var (statement, witness) = Instance(level, CurveNamed(curveName), rng);
        using (witness)
        {
            var proof = Dec.Prove(Context, statement, witness, rng, ProverKey(level));
            Assert.Equal(Verdict.Valid, Dec.Verify(Context, statement, proof, VerifierSetup(level)));
            Assert.Equal(Verdict.Valid, Dec.Verify(Context, statement, proof));
        }
    }

    [Theory]
    [InlineData("2048")]
    [InlineData("3072")]
    public void LargestSoundPlaintextBoundWorks(string levelName)
    {
        var level = SecurityLevel.FromName(levelName);
        var rng = new SeededRandom("dec max " + levelName);
        var max = Dec.MaxPlaintextBits(ProverKey(level).PublicKey, level);
        Assert.Equal(level.ModulusBits - level.Epsilon - 4, max);
        var (statement, witness) = Instance(level, Curve.Secp256k1, rng, max, -(BigInteger.One << max));
        using (witness)
        {
            var proof = Dec.Prove(Context, statement, witness, rng, ProverKey(level));
            Assert.Equal(Verdict.Valid, Dec.Verify(Context, statement, proof, VerifierSetup(level)));
        }
    }

    [Fact]
    public void ProverWithoutTheSecretKeyProducesAValidProof()
    {
        var rng = new SeededRandom("dec public prover");
        var (statement, witness) = Instance(SecurityLevel.Bits2048, Curve.P256, rng);
        using (witness)
        {
            Assert.Equal(Verdict.Valid, Dec.Verify(Context, statement, Dec.Prove(Context, statement, witness, rng)));
        }
    }

    [Fact]
    public void RecoveredWitnessMatchesTheEncryption()
    {
        var rng = new SeededRandom("dec recover");
        var (statement, original) = Instance(SecurityLevel.Bits2048, Curve.Secp256k1, rng);
        using var recovered = Dec.Witness.Recover(ProverKey(SecurityLevel.Bits2048), statement.C);
        Assert.Equal(original.Y.Value, recovered.Y.Value);
        Assert.Equal(original.Rho.Value, recovered.Rho.Value);
        original.Dispose();
    }

    [Fact]
    public void WitnessOutsideTheBoundOrAnUnsoundBoundIsRefused()
    {
        var rng = new SeededRandom("dec refuse");
        var (statement, witness) = Instance(SecurityLevel.Bits2048, Curve.Secp256k1, rng, 600, (BigInteger.One << 600) + 1);
        using (witness)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Dec.Prove(Context, statement, witness, rng));
            var max = Dec.MaxPlaintextBits(statement.Key, statement.Level);
            Assert.Throws<ArgumentOutOfRangeException>(() => Dec.Prove(Context, statement with { PlaintextBits = max + 1 }, witness, rng));
            Assert.Throws<ArgumentOutOfRangeException>(() => Dec.Prove(Context, statement with { PlaintextBits = 0 }, witness, rng));
        }
    }

    [Fact]
    public void UnsoundPlaintextBoundFailsTheParameterCheck()
    {
        var (statement, _, proof) = Shared.Value;
        var max = Dec.MaxPlaintextBits(statement.Key, statement.Level);
        Assert.Equal(Dec.Checks.Parameters, Dec.Verify(Context, statement with { PlaintextBits = max + 1 }, proof).FailedCheck);
        Assert.Equal(Dec.Checks.Parameters, Dec.Verify(Context, statement with { PlaintextBits = 0 }, proof).FailedCheck);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dec.Proof.Decode(statement with { PlaintextBits = max + 1 }, proof.Encode()));
    }

    [Fact]
    public void StatementCiphertextMustBeAUnitOfTheKey()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(Dec.Checks.Statement, Dec.Verify(Context, statement with { C = NotCoprimeCiphertext() }, proof).FailedCheck);
        Assert.Equal(Dec.Checks.Statement, Dec.Verify(Context, statement with { C = TooLargeCiphertext() }, proof).FailedCheck);
    }

    [Fact]
    public void GammaOfAnotherCurveIsRejected()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(Dec.Checks.Curve, Dec.Verify(Context, statement, proof with { Gamma = Scalar.FromValue(Curve.P256, proof.Gamma.Value) }).FailedCheck);
    }

    [Theory]
    [InlineData("A not coprime")]
    [InlineData("A too large")]
    [InlineData("w zero")]
    [InlineData("w not coprime")]
    [InlineData("S not coprime")]
    [InlineData("T zero")]
    public void ProofValuesMustBeUnits(string tamper)
    {
        var (statement, _, proof) = Shared.Value;
        var p = ProverKey(SecurityLevel.Bits2048).P;
        var verifierPrime = Testing.TestPrimes.PaillierKey(SecurityLevel.Bits2048, 1).Q;
        var tampered = tamper switch
        {
            "A not coprime" => proof with { A = p * 3 },
            "A too large" => proof with { A = statement.Key.NSquared + proof.A },
            "w zero" => proof with { W = 0 },
            "w not coprime" => proof with { W = p },
            "S not coprime" => proof with { S = verifierPrime },
            "T zero" => proof with { T = 0 },
            _ => throw new ArgumentException(tamper),
        };
        Assert.Equal(Dec.Checks.Units, Dec.Verify(Context, statement, tampered).FailedCheck);
    }

    [Fact]
    public void ResponseOutsideTheBoundFailsTheRangeCheck()
    {
        var (statement, _, proof) = Shared.Value;
        var bound = BigInteger.One << (statement.PlaintextBits + statement.Level.Epsilon);
        Assert.Equal(Dec.Checks.RangeZ1, Dec.Verify(Context, statement, proof with { Z1 = bound + 1 }).FailedCheck);
        Assert.Equal(Dec.Checks.RangeZ1, Dec.Verify(Context, statement, proof with { Z1 = -bound - 1 }).FailedCheck);
    }

    [Fact]
    public void TamperedWFailsOnlyThePaillierEquality()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(Dec.Checks.Equality1, Dec.Verify(Context, statement, proof with { W = Twice(proof.W, statement.Key.N) }).FailedCheck);
    }

    [Fact]
    public void WrongClaimedValueFailsOnlyTheModQEquality()
    {
        // An honest prover of a wrong x (a cheater who broadcast δ_i + 1) fails the mod-q check.
        var rng = new SeededRandom("dec wrong x");
        var (statement, witness) = Instance(SecurityLevel.Bits2048, Curve.Secp256k1, rng);
        using (witness)
        {
            var lying = statement with { X = statement.X + Scalar.One(Curve.Secp256k1) };
            var proof = Dec.Prove(Context, lying, witness, rng, ProverKey(SecurityLevel.Bits2048));
            Assert.Equal(Dec.Checks.Equality2, Dec.Verify(Context, lying, proof, VerifierSetup(SecurityLevel.Bits2048)).FailedCheck);
        }
    }

    [Fact]
    public void TamperedZ2FailsOnlyTheRingPedersenEquality()
    {
        var (statement, _, proof) = Shared.Value;
        var tampered = proof with { Z2 = proof.Z2 - 1 };
        Assert.Equal(Dec.Checks.Equality3, Dec.Verify(Context, statement, tampered).FailedCheck);
        Assert.Equal(Dec.Checks.Equality3, Dec.Verify(Context, statement, tampered, VerifierSetup(SecurityLevel.Bits2048)).FailedCheck);
    }

    [Fact]
    public void PlaintextShiftedByTheModulusIsCaughtByTheRangeCheck()
    {
        // The attack the added range check stops: y' = dec(C) + N0 encrypts to the same C, and
        // y' mod q differs from dec(C) mod q, so without a bound on z1 a cheater could "prove" a wrong x.
        var level = SecurityLevel.Bits2048;
        var rng = new SeededRandom("dec wrap");
        var key = ProverKey(level);
        var y = Sampling.Signed(rng, PlaintextBits);
        var c = key.PublicKey.Encrypt(y, rng, out var rho);
        var shifted = y + key.N;
        var curve = Curve.Secp256k1;
        Assert.NotEqual(Scalar.FromValue(curve, y), Scalar.FromValue(curve, shifted));
        Assert.Equal(c, key.PublicKey.Encrypt(shifted, rho));

        var max = Dec.MaxPlaintextBits(key.PublicKey, level);
        var statement = new Dec.Statement(key.PublicKey, c, Scalar.FromValue(curve, shifted), VerifierSetup(level).Parameters, level, max);
        using var witness = new Dec.Witness(shifted, rho);
        Assert.Throws<ArgumentOutOfRangeException>(() => Dec.Prove(Context, statement, witness, rng, key));
        var forged = Dec.ProveUnchecked(Context, statement, witness, rng, key);
        Assert.Equal(Dec.Checks.RangeZ1, Dec.Verify(Context, statement, forged, VerifierSetup(level)).FailedCheck);
    }

    [Fact]
    public void ProofIsBoundToSessionProverVerifierSetupAndBound()
    {
        var (statement, _, proof) = Shared.Value;
        Assert.Equal(Verdict.Valid, Dec.Verify(Context, statement, proof));
        Assert.False(Dec.Verify(OtherSession, statement, proof).IsValid);
        Assert.False(Dec.Verify(OtherProver, statement, proof).IsValid);
        var otherSetup = OtherVerifierSetup(SecurityLevel.Bits2048);
        Assert.False(Dec.Verify(Context, statement with { VerifierSetup = otherSetup.Parameters }, proof, otherSetup).IsValid);
        Assert.False(Dec.Verify(Context, statement with { PlaintextBits = statement.PlaintextBits + 1 }, proof).IsValid);
        var key = statement.Key;
        Assert.False(Dec.Verify(Context, statement with { C = key.Add(statement.C, key.Encrypt(statement.Curve.Order, key.SampleNonce(new SeededRandom("c")))) }, proof).IsValid);
    }

    [Fact]
    public void MismatchedSecretsAreProgrammingErrors()
    {
        var (statement, witness, proof) = Shared.Value;
        Assert.Throws<ArgumentException>(() => Dec.Verify(Context, statement, proof, OtherVerifierSetup(SecurityLevel.Bits2048)));
        Assert.Throws<ArgumentException>(() => Dec.Prove(Context, statement, witness, new SeededRandom("k"), OtherKey(SecurityLevel.Bits2048)));
    }

    [Fact]
    public void EncodingRoundTrips()
    {
        var (statement, _, proof) = Shared.Value;
        var decoded = Dec.Proof.Decode(statement, proof.Encode());
        Assert.Equal(proof, decoded);
        Assert.Equal(Verdict.Valid, Dec.Verify(Context, statement, decoded, VerifierSetup(SecurityLevel.Bits2048)));
    }

    [Fact]
    public void MalformedEncodingsAreRejectedWithTypedErrors()
    {
        var (statement, _, proof) = Shared.Value;
        var encoded = proof.Encode();
        var maskBits = statement.PlaintextBits + statement.Level.Epsilon;
        var parser = Wire.DecryptionModuloQProof.Parser;
        var p = ProverKey(SecurityLevel.Bits2048).P;
        Rejects(DecodingError.Malformed, () => Dec.Proof.Decode(statement, encoded.AsSpan(0, 40)));
        Rejects(DecodingError.Malformed, () => Dec.Proof.Decode(statement, Edit(parser, encoded, m => m.Gamma = Google.Protobuf.ByteString.CopyFrom(new byte[31]))));
        Rejects(DecodingError.NonCanonical, () => Dec.Proof.Decode(statement, Edit(parser, encoded, m => m.Gamma = Google.Protobuf.ByteString.CopyFrom(Enumerable.Repeat((byte)0xFF, 32).ToArray()))));
        Rejects(DecodingError.OutOfRange, () => Dec.Proof.Decode(statement, Edit(parser, encoded, m => m.Z1 = SignedBytes(BigInteger.One << (maskBits + 1)))));
        Rejects(DecodingError.OutOfRange, () => Dec.Proof.Decode(statement, Edit(parser, encoded, m => m.Z2 = SignedBytes(BigInteger.One << (maskBits + 2 + 2048)))));
        Rejects(DecodingError.Malformed, () => Dec.Proof.Decode(statement, Edit(parser, encoded, m => m.Z2 = Google.Protobuf.ByteString.CopyFrom(0, 0, 1))));
        Rejects(DecodingError.OutOfRange, () => Dec.Proof.Decode(statement, Edit(parser, encoded, m => m.A = Bytes(statement.Key.NSquared + 1))));
        Rejects(DecodingError.NotCoprime, () => Dec.Proof.Decode(statement, Edit(parser, encoded, m => m.W = Bytes(p))));
        Rejects(DecodingError.OutOfRange, () => Dec.Proof.Decode(statement, Edit(parser, encoded, m => m.T = Google.Protobuf.ByteString.Empty)));
        Rejects(DecodingError.NotCoprime, () => Dec.Proof.Decode(statement, Edit(parser, encoded, m => m.S = Bytes(Testing.TestPrimes.PaillierKey(SecurityLevel.Bits2048, 1).P))));
    }
}
