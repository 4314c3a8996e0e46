using System.Numerics;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Randomness;
using Threshold.Secrets;
using Threshold.Testing;
using static Threshold.Proofs.AffineOperationWithGroupCommitmentProof;

namespace Threshold.Proofs.Tests;

/// <summary>
/// Πaff-g (CGGMP21 Fig. 15). Prover: Paillier key 0 (N1). Verifier: Paillier key 1 (N0) with its
/// ring-Pedersen setup 1 (N̂ = N0, as in aux-info).
/// </summary>
public sealed class AffineOperationWithGroupCommitmentProofTests
{
    private static readonly ProofContext Context = new("presign-7"u8.ToArray(), 2);
    private static readonly SecurityLevel Level = SecurityLevel.Bits2048;
    private static readonly Lazy<Instance> Honest = new(() => Instance.Make(Level, Curve.Secp256k1, new SeededRandom("affg honest")));
    private static readonly Lazy<Proof> HonestProof = new(() => Honest.Value.Prove(new SeededRandom("affg honest proof")));

    public static TheoryData<string, string> LevelsAndCurves => new()
    {
        { "2048", "secp256k1" },
        { "2048", "P-256" },
        { "3072", "secp256k1" },
        { "3072", "P-256" },
    };

    public static TheoryData<string> Levels => ["2048", "3072"];

    [Theory]
    [MemberData(nameof(LevelsAndCurves))]
    public void HonestProofVerifiesWithAndWithoutTheOwnersShortcuts(string level, string curve)
    {
        var rng = new SeededRandom($"affg {level} {curve}");
        var instance = Instance.Make(SecurityLevel.FromName(level), Curve.FromName(curve), rng);
        var withCrt = instance.Prove(rng);
        var withoutCrt = instance.Prove(rng, useProverKey: false);

        Assert.Equal(Verdict.Valid, instance.Verify(withCrt));
        Assert.Equal(Verdict.Valid, instance.Verify(withCrt, useVerifierSecrets: false));
        Assert.Equal(Verdict.Valid, instance.Verify(withoutCrt));
        Assert.Equal(Verdict.Valid, instance.Verify(withoutCrt, useVerifierSecrets: false));
    }

    [Fact]
    public void PresigningShapeWithNegativeAdditiveTermVerifies()
    {
        // D_{j,i} = (γ_i ⊙ K_j) ⊕ Enc_j(−β; s), F_{j,i} = Enc_i(−β; r): the witness is y = −β.
        var rng = new SeededRandom("affg presign shape");
        var beta = Sampling.Signed(rng, Level.EllPrime);
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, y: -BigInteger.Abs(beta) - 1);
        Assert.True(instance.Verify(instance.Prove(rng)).IsValid);
    }

    [Fact]
    public void ExtremeWitnessesAtTheRangeEndsVerify()
    {
        var rng = new SeededRandom("affg extremes");
        var instance = Instance.Make(Level, Curve.P256, rng, x: -(BigInteger.One << Level.Ell), y: BigInteger.One << Level.EllPrime);
        Assert.True(instance.Verify(instance.Prove(rng)).IsValid);
    }

    // ---- soundness: each equality, by a cheating prover or a tampered response ----

    [Fact]
    public void DComputedWithAnotherXFailsTheFirstEquality()
    {
        var rng = new SeededRandom("affg eq1 statement");
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, xOffsetInD: 1);
        AssertOnly(instance, instance.Prove(rng), Checks.Equality1);
    }

    [Fact]
    public void TamperedWFailsTheFirstEquality()
    {
        var proof = HonestProof.Value;
        var n0 = Honest.Value.Statement.N0;
        AssertOnly(Honest.Value, proof with { W = proof.W * 2 % n0.N }, Checks.Equality1);
    }

    [Fact]
    public void XForAnotherDiscreteLogarithmFailsTheSecondEquality()
    {
        var rng = new SeededRandom("affg eq2 statement");
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, xOffsetInX: 1);
        AssertOnly(instance, instance.Prove(rng), Checks.Equality2);
    }

    [Fact]
    public void YEncryptingAnotherValueFailsTheThirdEquality()
    {
        var rng = new SeededRandom("affg eq3 statement");
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, yOffsetInY: 1);
        AssertOnly(instance, instance.Prove(rng), Checks.Equality3);
    }

    [Fact]
    public void TamperedWyFailsTheThirdEquality()
    {
        var proof = HonestProof.Value;
        var n1 = Honest.Value.Statement.N1;
        AssertOnly(Honest.Value, proof with { Wy = proof.Wy * 3 % n1.N }, Checks.Equality3);
    }

    [Fact]
    public void TamperedZ3FailsTheFourthEquality()
    {
        var proof = HonestProof.Value;
        AssertOnly(Honest.Value, proof with { Z3 = proof.Z3 + 1 }, Checks.Equality4);
    }

    [Fact]
    public void TamperedZ4FailsTheFifthEquality()
    {
        var proof = HonestProof.Value;
        AssertOnly(Honest.Value, proof with { Z4 = proof.Z4 - 1 }, Checks.Equality5);
    }

    [Fact]
    public void TamperedZ1AndZ2FailTheEqualitiesThatUseThem()
    {
        var proof = HonestProof.Value;
        AssertFirst(Honest.Value, proof with { Z1 = proof.Z1 + 1 }, Checks.Equality1);
        AssertFirst(Honest.Value, proof with { Z2 = proof.Z2 + 1 }, Checks.Equality1);
        var statement = Honest.Value.Statement;
        Assert.Equal([Checks.Equality1, Checks.Equality2, Checks.Equality4], FailedChecks(Context, statement, proof with { Z1 = proof.Z1 + 1 }));
        Assert.Equal([Checks.Equality1, Checks.Equality3, Checks.Equality5], FailedChecks(Context, statement, proof with { Z2 = proof.Z2 + 1 }));
    }

    [Fact]
    public void TamperedFirstMessageChangesTheChallenge()
    {
        var proof = HonestProof.Value;
        AssertFirst(Honest.Value, proof with { Bx = proof.Bx + Curve.Secp256k1.Generator }, Checks.Equality1);
        AssertFirst(Honest.Value, proof with { T = proof.T * proof.T % Honest.Value.Statement.Setup.N }, Checks.Equality1);
    }

    // ---- soundness: the range checks ----

    [Fact]
    public void OutOfRangeXIsCaughtByTheZ1RangeCheck()
    {
        // A cheating prover with x far outside ±2^ℓ: every equality holds, only the range check fails.
        var rng = new SeededRandom("affg range x");
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, x: (BigInteger.One << (Level.Ell + Level.Epsilon + 8)) + 12345);
        AssertOnly(instance, instance.ProveUnchecked(rng), Checks.RangeZ1);
    }

    [Fact]
    public void OutOfRangeYIsCaughtByTheZ2RangeCheck()
    {
        var rng = new SeededRandom("affg range y");
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, y: -(BigInteger.One << (Level.EllPrime + Level.Epsilon + 8)));
        AssertOnly(instance, instance.ProveUnchecked(rng), Checks.RangeZ2);
    }

    [Fact]
    public void RangeChecksIncludeTheirEndsAndNothingBeyond()
    {
        var proof = HonestProof.Value;
        var z1Bound = BigInteger.One << (Level.Ell + Level.Epsilon);
        var z2Bound = BigInteger.One << (Level.EllPrime + Level.Epsilon);
        AssertFirst(Honest.Value, proof with { Z1 = z1Bound + 1 }, Checks.RangeZ1);
        AssertFirst(Honest.Value, proof with { Z1 = -z1Bound - 1 }, Checks.RangeZ1);
        AssertFirst(Honest.Value, proof with { Z2 = z2Bound + 1 }, Checks.RangeZ2);
        AssertFirst(Honest.Value, proof with { Z2 = -z2Bound - 1 }, Checks.RangeZ2);

        // At the ends the range checks pass and the (now wrong) equality is what fails.
        AssertFirst(Honest.Value, proof with { Z1 = z1Bound }, Checks.Equality1);
        AssertFirst(Honest.Value, proof with { Z2 = -z2Bound }, Checks.Equality1);
    }

    [Fact]
    public void ProverRefusesAWitnessOutOfRange()
    {
        var rng = new SeededRandom("affg refuse");
        var bigX = Instance.Make(Level, Curve.Secp256k1, rng, x: (BigInteger.One << Level.Ell) + 1);
        Assert.Throws<ArgumentException>(() => bigX.Prove(rng));
        var bigY = Instance.Make(Level, Curve.Secp256k1, rng, y: -(BigInteger.One << Level.EllPrime) - 1);
        Assert.Throws<ArgumentException>(() => bigY.Prove(rng));
    }

    // ---- group membership of every statement and proof element ----

    [Fact]
    public void StatementCiphertextsOutsideTheirGroupsAreRejected()
    {
        var instance = Honest.Value;
        var proof = HonestProof.Value;
        var n0Factor = instance.VerifierKey.P;
        var n1Factor = instance.ProverKey.P;

        // A ciphertext valid under one key can share a factor with the other.
        var notUnitUnderN0 = instance.Statement.N1.Validate(n0Factor);
        var notUnitUnderN1 = instance.Statement.N0.Validate(n1Factor);
        AssertOnly(instance, proof, Checks.GroupC, instance.Statement with { C = notUnitUnderN0 });
        AssertOnly(instance, proof, Checks.GroupD, instance.Statement with { D = notUnitUnderN0 });
        AssertOnly(instance, proof, Checks.GroupY, instance.Statement with { Y = notUnitUnderN1 });
    }

    [Fact]
    public void ProofElementsOutsideTheirGroupsAreRejected()
    {
        var instance = Honest.Value;
        var proof = HonestProof.Value;
        var n0 = instance.Statement.N0;
        var n1 = instance.Statement.N1;
        var nHat = instance.Statement.Setup.N;

        AssertOnly(instance, proof with { A = BigInteger.Zero }, Checks.GroupA);
        AssertOnly(instance, proof with { A = instance.VerifierKey.Q * 7 }, Checks.GroupA);
        AssertOnly(instance, proof with { A = n0.NSquared + 1 }, Checks.GroupA);
        AssertOnly(instance, proof with { By = n1.NSquared }, Checks.GroupBy);
        AssertOnly(instance, proof with { By = instance.ProverKey.Q }, Checks.GroupBy);
        AssertOnly(instance, proof with { E = nHat }, Checks.GroupE);
        AssertOnly(instance, proof with { S = BigInteger.Zero }, Checks.GroupS);
        AssertOnly(instance, proof with { F = instance.VerifierKey.P }, Checks.GroupF);
        AssertOnly(instance, proof with { T = nHat + 5 }, Checks.GroupT);
        AssertOnly(instance, proof with { W = BigInteger.Zero }, Checks.GroupW);
        AssertOnly(instance, proof with { W = instance.VerifierKey.P }, Checks.GroupW);
        AssertOnly(instance, proof with { Wy = n1.N }, Checks.GroupWy);
        AssertOnly(instance, proof with { Wy = -proof.Wy }, Checks.GroupWy);
    }

    [Fact]
    public void ZeroNoncesWithAZeroFirstMessageCannotForgeTheFirstEquation()
    {
        // Without the unit checks, A = w = 0 would satisfy C^z1 · (1 + N0)^z2 · w^N0 = A · D^e for any D.
        var proof = HonestProof.Value;
        AssertFirst(Honest.Value, proof with { A = BigInteger.Zero, W = BigInteger.Zero }, Checks.GroupA);
    }

    [Fact]
    public void CommitmentOnAnotherCurveIsRejected()
    {
        var proof = HonestProof.Value;
        AssertOnly(Honest.Value, proof with { Bx = Curve.P256.Generator }, Checks.Curve);
    }

    [Fact]
    public void ModuliShorterThanTheLevelAreRejected()
    {
        var instance = Honest.Value;
        AssertOnly(instance, HonestProof.Value, Checks.Modulus, instance.Statement with { Level = SecurityLevel.Bits3072 });
    }

    // ---- binding: session, prover, verifier setup, statement ----

    [Fact]
    public void ProofIsBoundToSessionProverAndVerifierSetup()
    {
        var instance = Honest.Value;
        var proof = HonestProof.Value;
        Assert.Equal(Checks.Equality1, Verify(new ProofContext("presign-8"u8.ToArray(), 2), instance.Statement, proof).FailedCheck);
        Assert.Equal(Checks.Equality1, Verify(new ProofContext("presign-7"u8.ToArray(), 3), instance.Statement, proof).FailedCheck);

        var otherSetup = TestSetups.RingPedersen(Level, 2);
        Assert.False(Verify(Context, instance.Statement with { Setup = otherSetup.Parameters }, proof).IsValid);
        Assert.False(Verify(Context, instance.Statement with { Setup = otherSetup.Parameters }, proof, otherSetup).IsValid);
    }

    [Fact]
    public void ProofIsBoundToEveryStatementValue()
    {
        var instance = Honest.Value;
        var proof = HonestProof.Value;
        var s = instance.Statement;
        var one = s.N0.Encrypt(1, new SeededRandom("one"), out _);
        Assert.False(Verify(Context, s with { C = s.N0.Add(s.C, one) }, proof).IsValid);
        Assert.False(Verify(Context, s with { D = s.N0.Add(s.D, one) }, proof).IsValid);
        Assert.False(Verify(Context, s with { Y = s.N1.Multiply(s.Y, 2) }, proof).IsValid);
        Assert.False(Verify(Context, s with { X = s.X + s.Curve.Generator }, proof).IsValid);
        Assert.False(Verify(Context, s with { N1 = TestPrimes.PaillierKey(Level, 2).PublicKey }, proof).IsValid);
    }

    [Fact]
    public void SecretsOfOtherModuliAreRefused()
    {
        var instance = Honest.Value;
        var proof = HonestProof.Value;
        Assert.Throws<ArgumentException>(() => Verify(Context, instance.Statement, proof, TestSetups.RingPedersen(Level, 2)));
        Assert.Throws<ArgumentException>(() => Verify(Context, instance.Statement, proof, null, instance.ProverKey));
        Assert.Throws<ArgumentException>(() => AffineOperationWithGroupCommitmentProof.Prove(Context, instance.Statement, instance.Witness, new SeededRandom("x"), instance.VerifierKey));
    }

    // ---- encoding ----

    [Theory]
    [MemberData(nameof(Levels))]
    public void EncodingRoundTrips(string level)
    {
        var rng = new SeededRandom("affg wire " + level);
        var instance = Instance.Make(SecurityLevel.FromName(level), Curve.P256, rng);
        var proof = instance.Prove(rng);
        var decoded = Proof.Decode(instance.Statement, proof.Encode());
        Assert.Equal(proof, decoded);
        Assert.True(instance.Verify(decoded).IsValid);
    }

    [Fact]
    public void MalformedEncodingsAreRejectedWithTypedErrors()
    {
        var instance = Honest.Value;
        var statement = instance.Statement;
        var encoded = HonestProof.Value.Encode();
        var message = Wire.AffineOperationWithGroupCommitmentProof.Parser.ParseFrom(encoded);

        AssertDecoding(DecodingError.Malformed, encoded.AsSpan(0, encoded.Length - 7).ToArray());
        AssertDecoding(DecodingError.Malformed, [0xFF, 0xFF, 0xFF, 0xFF]);

        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.A = WireCodec.Unsigned(statement.N0.NSquared)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.A = ByteString.Empty));
        AssertDecoding(DecodingError.NotCoprime, With(message, m => m.A = WireCodec.Unsigned(instance.VerifierKey.P)));
        AssertDecoding(DecodingError.Malformed, With(message, m => m.A = ByteString.CopyFrom([0, .. message.A.Span])));
        AssertDecoding(DecodingError.NotOnCurve, With(message, m => m.BX = OffCurvePoint()));
        AssertDecoding(DecodingError.Malformed, With(message, m => m.BX = ByteString.CopyFrom(new byte[5])));
        AssertDecoding(DecodingError.NotCoprime, With(message, m => m.BY = WireCodec.Unsigned(instance.ProverKey.Q)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.E = WireCodec.Unsigned(statement.Setup.N)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.S = ByteString.Empty));
        AssertDecoding(DecodingError.NotCoprime, With(message, m => m.F = WireCodec.Unsigned(instance.VerifierKey.Q)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.T = WireCodec.Unsigned(statement.Setup.N + 2)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.Z1 = WireCodec.Signed(BigInteger.One << (Level.Ell + Level.Epsilon + 1))));
        AssertDecoding(DecodingError.Malformed, With(message, m => m.Z1 = ByteString.CopyFrom([0, 0, 1])));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.Z2 = WireCodec.Signed(-(BigInteger.One << (Level.EllPrime + Level.Epsilon + 1)))));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.Z3 = WireCodec.Signed(BigInteger.One << 4000)));
        AssertDecoding(DecodingError.Malformed, With(message, m => m.Z4 = ByteString.Empty));
        AssertDecoding(DecodingError.NotCoprime, With(message, m => m.W = WireCodec.Unsigned(instance.VerifierKey.P)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.WY = WireCodec.Unsigned(statement.N1.N)));

        void AssertDecoding(DecodingError expected, byte[] bytes) =>
            Assert.Equal(expected, Assert.Throws<DecodingException>(() => Proof.Decode(statement, bytes)).Reason);
    }

    [Fact]
    public void WitnessNeverPrintsItsValues()
    {
        var text = Honest.Value.Witness.ToString();
        Assert.DoesNotContain(Honest.Value.Witness.X.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Contains("[secret]", text, StringComparison.Ordinal);
    }

    /// <summary>Verify names <paramref name="check"/>, with and without the verifier's CRT shortcuts.</summary>
    private static void AssertFirst(Instance instance, Proof proof, string check, Statement? statement = null)
    {
        var s = statement ?? instance.Statement;
        Assert.Equal(check, Verify(Context, s, proof, instance.VerifierSetup, instance.VerifierKey).FailedCheck);
        Assert.Equal(check, Verify(Context, s, proof).FailedCheck);
    }

    /// <summary>Verify names <paramref name="check"/> and every other check passes, on both paths.</summary>
    private static void AssertOnly(Instance instance, Proof proof, string check, Statement? statement = null)
    {
        AssertFirst(instance, proof, check, statement);
        var s = statement ?? instance.Statement;
        Assert.Equal([check], FailedChecks(Context, s, proof, instance.VerifierSetup, instance.VerifierKey));
        Assert.Equal([check], FailedChecks(Context, s, proof));
    }

    private static byte[] With(Wire.AffineOperationWithGroupCommitmentProof message, Action<Wire.AffineOperationWithGroupCommitmentProof> change)
    {
        var copy = message.Clone();
        change(copy);
        return copy.ToByteArray();
    }

    private static ByteString OffCurvePoint()
    {
        var bytes = new byte[33];
        bytes[0] = 0x02;
        bytes[^1] = 5; // x = 5: x³ + 7 is not a square modulo p on secp256k1
        return ByteString.CopyFrom(bytes);
    }

    /// <summary>An instance of the relation, honest unless an offset makes one value disagree with the witness.</summary>
    internal sealed record Instance(Statement Statement, Witness Witness, PaillierSecretKey ProverKey, PaillierSecretKey VerifierKey, RingPedersenSecret VerifierSetup)
    {
        public static Instance Make(
            SecurityLevel level,
            Curve curve,
            SeededRandom rng,
            BigInteger? x = null,
            BigInteger? y = null,
            int xOffsetInD = 0,
            int xOffsetInX = 0,
            int yOffsetInY = 0)
        {
            var proverKey = TestPrimes.PaillierKey(level, 0);
            var verifierKey = TestPrimes.PaillierKey(level, 1);
            var setup = TestSetups.RingPedersen(level, 1);
            var n0 = verifierKey.PublicKey;
            var n1 = proverKey.PublicKey;

            var xValue = x ?? Scalar.Random(curve, rng).Value;
            var yValue = y ?? Sampling.Signed(rng, level.EllPrime);
            var c = n0.Encrypt(Scalar.Random(curve, rng).Value, rng, out _);
            var rho = n0.SampleNonce(rng);
            var rhoY = n1.SampleNonce(rng);
            var d = n0.Add(n0.Multiply(c, xValue + xOffsetInD), n0.Encrypt(yValue, rho));
            var bigY = proverKey.Encrypt(yValue + yOffsetInY, rhoY);
            var bigX = Point.MultiplyGenerator(Scalar.FromValue(curve, xValue + xOffsetInX));
            var statement = new Statement(level, setup.Parameters, n0, n1, c, d, bigY, bigX);
            var witness = new Witness(new SecretBigInteger(xValue), new SecretBigInteger(yValue), new SecretBigInteger(rho), new SecretBigInteger(rhoY));
            return new Instance(statement, witness, proverKey, verifierKey, setup);
        }

        public Proof Prove(SeededRandom rng, bool useProverKey = true) =>
            AffineOperationWithGroupCommitmentProof.Prove(Context, Statement, Witness, rng, useProverKey ? ProverKey : null);

        public Proof ProveUnchecked(SeededRandom rng) =>
            AffineOperationWithGroupCommitmentProof.ProveUnchecked(Context, Statement, Witness, rng, ProverKey);

        public Verdict Verify(Proof proof, bool useVerifierSecrets = true) => useVerifierSecrets
            ? AffineOperationWithGroupCommitmentProof.Verify(Context, Statement, proof, VerifierSetup, VerifierKey)
            : AffineOperationWithGroupCommitmentProof.Verify(Context, Statement, proof);
    }
}
