using System.Numerics;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Randomness;
using Threshold.Secrets;
using Threshold.Testing;
using static Threshold.Proofs.AffineOperationWithPaillierCommitmentProof;

namespace Threshold.Proofs.Tests;

/// <summary>
/// Πaff-p. Prover: Paillier key 0 (N1, the key of X and Y). N0: Paillier key 1 (the key of C and D),
/// whose owner verifies with its ring-Pedersen setup 1, as P_j does for D_{j,i} in the identification step.
/// </summary>
public sealed class AffineOperationWithPaillierCommitmentProofTests
{
    private static readonly ProofContext Context = new("presign-7/identify"u8.ToArray(), 4);
    private static readonly SecurityLevel Level = SecurityLevel.Bits2048;
    private static readonly Lazy<Instance> Honest = new(() => Instance.Make(Level, Curve.Secp256k1, new SeededRandom("affp honest")));
    private static readonly Lazy<Proof> HonestProof = new(() => Honest.Value.Prove(new SeededRandom("affp honest proof")));

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
        var rng = new SeededRandom($"affp {level} {curve}");
        var instance = Instance.Make(SecurityLevel.FromName(level), Curve.FromName(curve), rng);
        var withCrt = instance.Prove(rng);
        var withoutCrt = instance.Prove(rng, useProverKey: false);

        Assert.Equal(Verdict.Valid, instance.Verify(withCrt));
        Assert.Equal(Verdict.Valid, instance.Verify(withCrt, useVerifierSecrets: false));
        Assert.Equal(Verdict.Valid, instance.Verify(withoutCrt));
        Assert.Equal(Verdict.Valid, instance.Verify(withoutCrt, useVerifierSecrets: false));
    }

    [Fact]
    public void ThirdPartyVerifiesWithItsOwnSetupAndNoKeyOfN0()
    {
        var rng = new SeededRandom("affp third party");
        var thirdParty = TestSetups.RingPedersen(Level, 2);
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, setup: thirdParty);
        var proof = instance.Prove(rng);
        Assert.Equal(Verdict.Valid, AffineOperationWithPaillierCommitmentProof.Verify(Context, instance.Statement, proof, thirdParty));
        Assert.Equal(Verdict.Valid, AffineOperationWithPaillierCommitmentProof.Verify(Context, instance.Statement, proof));
    }

    [Fact]
    public void ExtremeWitnessesAtTheRangeEndsVerify()
    {
        var rng = new SeededRandom("affp extremes");
        var instance = Instance.Make(Level, Curve.P256, rng, x: BigInteger.One << Level.Ell, y: -(BigInteger.One << Level.EllPrime));
        Assert.True(instance.Verify(instance.Prove(rng)).IsValid);
    }

    // ---- soundness: each equality ----

    [Fact]
    public void DComputedWithAnotherXFailsOnlyTheFirstEquality()
    {
        var rng = new SeededRandom("affp eq1");
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, xOffsetInD: -1);
        AssertOnly(instance, instance.Prove(rng), Checks.Equality1);
    }

    [Fact]
    public void TamperedWFailsOnlyTheFirstEquality()
    {
        var proof = HonestProof.Value;
        AssertOnly(Honest.Value, proof with { W = proof.W * 2 % Honest.Value.Statement.N0.N }, Checks.Equality1);
    }

    [Fact]
    public void XEncryptingAnotherValueFailsOnlyTheSecondEquality()
    {
        var rng = new SeededRandom("affp eq2");
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, xOffsetInX: 1);
        AssertOnly(instance, instance.Prove(rng), Checks.Equality2);
    }

    [Fact]
    public void TamperedWxFailsOnlyTheSecondEquality()
    {
        var proof = HonestProof.Value;
        AssertOnly(Honest.Value, proof with { Wx = proof.Wx * 2 % Honest.Value.Statement.N1.N }, Checks.Equality2);
    }

    [Fact]
    public void YEncryptingAnotherValueFailsOnlyTheThirdEquality()
    {
        var rng = new SeededRandom("affp eq3");
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, yOffsetInY: 1);
        AssertOnly(instance, instance.Prove(rng), Checks.Equality3);
    }

    [Fact]
    public void TamperedWyFailsOnlyTheThirdEquality()
    {
        var proof = HonestProof.Value;
        AssertOnly(Honest.Value, proof with { Wy = proof.Wy * 5 % Honest.Value.Statement.N1.N }, Checks.Equality3);
    }

    [Fact]
    public void TamperedZ3FailsOnlyTheFourthEquality()
    {
        var proof = HonestProof.Value;
        AssertOnly(Honest.Value, proof with { Z3 = proof.Z3 - 1 }, Checks.Equality4);
    }

    [Fact]
    public void TamperedZ4FailsOnlyTheFifthEquality()
    {
        var proof = HonestProof.Value;
        AssertOnly(Honest.Value, proof with { Z4 = proof.Z4 + 1 }, Checks.Equality5);
    }

    [Fact]
    public void TamperedZ1AndZ2FailTheEqualitiesThatUseThem()
    {
        var proof = HonestProof.Value;
        var statement = Honest.Value.Statement;
        Assert.Equal([Checks.Equality1, Checks.Equality2, Checks.Equality4], FailedChecks(Context, statement, proof with { Z1 = proof.Z1 - 1 }));
        Assert.Equal([Checks.Equality1, Checks.Equality3, Checks.Equality5], FailedChecks(Context, statement, proof with { Z2 = proof.Z2 - 1 }));
        AssertFirst(Honest.Value, proof with { Z1 = proof.Z1 - 1 }, Checks.Equality1);
    }

    [Fact]
    public void TamperedFirstMessageChangesTheChallenge()
    {
        var proof = HonestProof.Value;
        var n1 = Honest.Value.Statement.N1;
        AssertFirst(Honest.Value, proof with { Bx = proof.Bx * proof.By % n1.NSquared }, Checks.Equality1);
        AssertFirst(Honest.Value, proof with { E = proof.E * proof.E % Honest.Value.Statement.Setup.N }, Checks.Equality1);
    }

    // ---- soundness: the range checks ----

    [Fact]
    public void OutOfRangeXFailsOnlyTheZ1RangeCheck()
    {
        var rng = new SeededRandom("affp range x");
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, x: -(BigInteger.One << (Level.Ell + Level.Epsilon + 4)));
        AssertOnly(instance, instance.ProveUnchecked(rng), Checks.RangeZ1);
    }

    [Fact]
    public void OutOfRangeYFailsOnlyTheZ2RangeCheck()
    {
        var rng = new SeededRandom("affp range y");
        var instance = Instance.Make(Level, Curve.Secp256k1, rng, y: (BigInteger.One << (Level.EllPrime + Level.Epsilon + 4)) + 99);
        AssertOnly(instance, instance.ProveUnchecked(rng), Checks.RangeZ2);
    }

    [Fact]
    public void RangeChecksIncludeTheirEndsAndNothingBeyond()
    {
        var proof = HonestProof.Value;
        var z1Bound = BigInteger.One << (Level.Ell + Level.Epsilon);
        var z2Bound = BigInteger.One << (Level.EllPrime + Level.Epsilon);
        AssertFirst(Honest.Value, proof with { Z1 = -z1Bound - 1 }, Checks.RangeZ1);
        AssertFirst(Honest.Value, proof with { Z2 = z2Bound + 1 }, Checks.RangeZ2);
        AssertFirst(Honest.Value, proof with { Z1 = -z1Bound }, Checks.Equality1);
        AssertFirst(Honest.Value, proof with { Z2 = z2Bound }, Checks.Equality1);
    }

    [Fact]
    public void ProverRefusesAWitnessOutOfRange()
    {
        var rng = new SeededRandom("affp refuse");
        var bigX = Instance.Make(Level, Curve.Secp256k1, rng, x: -(BigInteger.One << Level.Ell) - 1);
        Assert.Throws<ArgumentException>(() => bigX.Prove(rng));
        var bigY = Instance.Make(Level, Curve.Secp256k1, rng, y: (BigInteger.One << Level.EllPrime) + 1);
        Assert.Throws<ArgumentException>(() => bigY.Prove(rng));
    }

    // ---- group membership ----

    [Fact]
    public void StatementCiphertextsOutsideTheirGroupsAreRejected()
    {
        var instance = Honest.Value;
        var proof = HonestProof.Value;
        var notUnitUnderN0 = instance.Statement.N1.Validate(instance.N0Key.Q);
        var notUnitUnderN1 = instance.Statement.N0.Validate(instance.ProverKey.P);
        AssertOnly(instance, proof, Checks.GroupC, instance.Statement with { C = notUnitUnderN0 });
        AssertOnly(instance, proof, Checks.GroupD, instance.Statement with { D = notUnitUnderN0 });
        AssertOnly(instance, proof, Checks.GroupX, instance.Statement with { X = notUnitUnderN1 });
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

        AssertOnly(instance, proof with { A = n0.NSquared }, Checks.GroupA);
        AssertOnly(instance, proof with { A = instance.N0Key.P * 3 }, Checks.GroupA);
        AssertOnly(instance, proof with { Bx = BigInteger.Zero }, Checks.GroupBx);
        AssertOnly(instance, proof with { Bx = instance.ProverKey.Q }, Checks.GroupBx);
        AssertOnly(instance, proof with { By = n1.NSquared + 3 }, Checks.GroupBy);
        AssertOnly(instance, proof with { E = BigInteger.Zero }, Checks.GroupE);
        AssertOnly(instance, proof with { S = nHat }, Checks.GroupS);
        AssertOnly(instance, proof with { F = -proof.F }, Checks.GroupF);
        AssertOnly(instance, proof with { T = instance.N0Key.Q }, Checks.GroupT);
        AssertOnly(instance, proof with { W = instance.N0Key.Q }, Checks.GroupW);
        AssertOnly(instance, proof with { Wx = BigInteger.Zero }, Checks.GroupWx);
        AssertOnly(instance, proof with { Wy = instance.ProverKey.P }, Checks.GroupWy);
        AssertFirst(instance, proof with { A = BigInteger.Zero, W = BigInteger.Zero }, Checks.GroupA);
    }

    [Fact]
    public void ModuliShorterThanTheLevelAreRejected()
    {
        var instance = Honest.Value;
        AssertOnly(instance, HonestProof.Value, Checks.Modulus, instance.Statement with { Level = SecurityLevel.Bits3072 });
    }

    // ---- binding ----

    [Fact]
    public void ProofIsBoundToSessionProverSetupCurveAndStatement()
    {
        var instance = Honest.Value;
        var proof = HonestProof.Value;
        var s = instance.Statement;
        Assert.Equal(Checks.Equality1, AffineOperationWithPaillierCommitmentProof.Verify(new ProofContext("presign-8/identify"u8.ToArray(), 4), s, proof).FailedCheck);
        Assert.Equal(Checks.Equality1, AffineOperationWithPaillierCommitmentProof.Verify(new ProofContext("presign-7/identify"u8.ToArray(), 5), s, proof).FailedCheck);
        Assert.False(AffineOperationWithPaillierCommitmentProof.Verify(Context, s with { Setup = TestSetups.RingPedersen(Level, 2).Parameters }, proof).IsValid);
        Assert.Equal(Checks.Equality1, AffineOperationWithPaillierCommitmentProof.Verify(Context, s with { Curve = Curve.P256 }, proof).FailedCheck);

        var one = s.N1.Encrypt(1, new SeededRandom("one"), out _);
        Assert.False(AffineOperationWithPaillierCommitmentProof.Verify(Context, s with { X = s.N1.Add(s.X, one) }, proof).IsValid);
        Assert.False(AffineOperationWithPaillierCommitmentProof.Verify(Context, s with { Y = s.N1.Add(s.Y, one) }, proof).IsValid);
        Assert.False(AffineOperationWithPaillierCommitmentProof.Verify(Context, s with { C = s.N0.Multiply(s.C, 3) }, proof).IsValid);
    }

    [Fact]
    public void SecretsOfOtherModuliAreRefused()
    {
        var instance = Honest.Value;
        var proof = HonestProof.Value;
        Assert.Throws<ArgumentException>(() => AffineOperationWithPaillierCommitmentProof.Verify(Context, instance.Statement, proof, TestSetups.RingPedersen(Level, 3)));
        Assert.Throws<ArgumentException>(() => AffineOperationWithPaillierCommitmentProof.Verify(Context, instance.Statement, proof, null, instance.ProverKey));
        Assert.Throws<ArgumentException>(() => AffineOperationWithPaillierCommitmentProof.Prove(Context, instance.Statement, instance.Witness, new SeededRandom("x"), instance.N0Key));
    }

    // ---- encoding ----

    [Theory]
    [MemberData(nameof(Levels))]
    public void EncodingRoundTrips(string level)
    {
        var rng = new SeededRandom("affp wire " + level);
        var instance = Instance.Make(SecurityLevel.FromName(level), Curve.Secp256k1, rng);
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
        var message = Wire.AffineOperationWithPaillierCommitmentProof.Parser.ParseFrom(encoded);

        AssertDecoding(DecodingError.Malformed, encoded.AsSpan(0, encoded.Length - 11).ToArray());
        AssertDecoding(DecodingError.OutOfRange, []);
        AssertDecoding(DecodingError.Malformed, [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);

        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.A = WireCodec.Unsigned(statement.N0.NSquared + 1)));
        AssertDecoding(DecodingError.NotCoprime, With(message, m => m.A = WireCodec.Unsigned(instance.N0Key.Q)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.BX = ByteString.Empty));
        AssertDecoding(DecodingError.NotCoprime, With(message, m => m.BX = WireCodec.Unsigned(instance.ProverKey.P * 2)));
        AssertDecoding(DecodingError.Malformed, With(message, m => m.BY = ByteString.CopyFrom([0, .. message.BY.Span])));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.E = ByteString.Empty));
        AssertDecoding(DecodingError.NotCoprime, With(message, m => m.S = WireCodec.Unsigned(instance.N0Key.P)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.F = WireCodec.Unsigned(statement.Setup.N)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.T = WireCodec.Unsigned(BigInteger.One << 2100)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.Z1 = WireCodec.Signed(-(BigInteger.One << (Level.Ell + Level.Epsilon + 1)))));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.Z2 = WireCodec.Signed(BigInteger.One << (Level.EllPrime + Level.Epsilon + 1))));
        AssertDecoding(DecodingError.Malformed, With(message, m => m.Z3 = ByteString.CopyFrom([2, 1])));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.Z4 = WireCodec.Signed(-(BigInteger.One << 4096))));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.W = ByteString.Empty));
        AssertDecoding(DecodingError.NotCoprime, With(message, m => m.WX = WireCodec.Unsigned(instance.ProverKey.Q)));
        AssertDecoding(DecodingError.OutOfRange, With(message, m => m.WY = WireCodec.Unsigned(statement.N1.N + 1)));

        void AssertDecoding(DecodingError expected, byte[] bytes) =>
            Assert.Equal(expected, Assert.Throws<DecodingException>(() => Proof.Decode(statement, bytes)).Reason);
    }

    [Fact]
    public void WitnessNeverPrintsItsValues()
    {
        var witness = Honest.Value.Witness;
        var text = witness.ToString();
        Assert.DoesNotContain(witness.RhoX.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Contains("[secret]", text, StringComparison.Ordinal);
    }

    private static void AssertFirst(Instance instance, Proof proof, string check, Statement? statement = null)
    {
        var s = statement ?? instance.Statement;
        Assert.Equal(check, AffineOperationWithPaillierCommitmentProof.Verify(Context, s, proof, instance.VerifierSetup, instance.N0Key).FailedCheck);
        Assert.Equal(check, AffineOperationWithPaillierCommitmentProof.Verify(Context, s, proof).FailedCheck);
    }

    private static void AssertOnly(Instance instance, Proof proof, string check, Statement? statement = null)
    {
        AssertFirst(instance, proof, check, statement);
        var s = statement ?? instance.Statement;
        Assert.Equal([check], FailedChecks(Context, s, proof, instance.VerifierSetup, instance.N0Key));
        Assert.Equal([check], FailedChecks(Context, s, proof));
    }

    private static byte[] With(Wire.AffineOperationWithPaillierCommitmentProof message, Action<Wire.AffineOperationWithPaillierCommitmentProof> change)
    {
        var copy = message.Clone();
        change(copy);
        return copy.ToByteArray();
    }

    /// <summary>An instance of the relation, honest unless an offset makes one value disagree with the witness.</summary>
    internal sealed record Instance(Statement Statement, Witness Witness, PaillierSecretKey ProverKey, PaillierSecretKey N0Key, RingPedersenSecret VerifierSetup)
    {
        public static Instance Make(
            SecurityLevel level,
            Curve curve,
            SeededRandom rng,
            BigInteger? x = null,
            BigInteger? y = null,
            int xOffsetInD = 0,
            int xOffsetInX = 0,
            int yOffsetInY = 0,
            RingPedersenSecret? setup = null)
        {
            var proverKey = TestPrimes.PaillierKey(level, 0);
            var n0Key = TestPrimes.PaillierKey(level, 1);
            setup ??= TestSetups.RingPedersen(level, 1);
            var n0 = n0Key.PublicKey;
            var n1 = proverKey.PublicKey;

            var xValue = x ?? Scalar.Random(curve, rng).Value;
            var yValue = y ?? Sampling.Signed(rng, level.EllPrime);
            var c = n0.Encrypt(Scalar.Random(curve, rng).Value, rng, out _);
            var rho = n0.SampleNonce(rng);
            var rhoX = n1.SampleNonce(rng);
            var rhoY = n1.SampleNonce(rng);
            var d = n0.Add(n0.Multiply(c, xValue + xOffsetInD), n0.Encrypt(yValue, rho));
            var bigX = proverKey.Encrypt(xValue + xOffsetInX, rhoX);
            var bigY = proverKey.Encrypt(yValue + yOffsetInY, rhoY);
            var statement = new Statement(level, curve, setup.Parameters, n0, n1, c, d, bigX, bigY);
            var witness = new Witness(
                new SecretBigInteger(xValue),
                new SecretBigInteger(yValue),
                new SecretBigInteger(rho),
                new SecretBigInteger(rhoX),
                new SecretBigInteger(rhoY));
            return new Instance(statement, witness, proverKey, n0Key, setup);
        }

        public Proof Prove(SeededRandom rng, bool useProverKey = true) =>
            AffineOperationWithPaillierCommitmentProof.Prove(Context, Statement, Witness, rng, useProverKey ? ProverKey : null);

        public Proof ProveUnchecked(SeededRandom rng) =>
            AffineOperationWithPaillierCommitmentProof.ProveUnchecked(Context, Statement, Witness, rng, ProverKey);

        public Verdict Verify(Proof proof, bool useVerifierSecrets = true) =>
            VerifierSetup.Parameters.Equals(Statement.Setup) && useVerifierSecrets
                ? AffineOperationWithPaillierCommitmentProof.Verify(Context, Statement, proof, VerifierSetup, N0Key)
                : AffineOperationWithPaillierCommitmentProof.Verify(Context, Statement, proof);
    }
}
