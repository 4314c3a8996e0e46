using System.Numerics;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Randomness;
using Threshold.Secrets;
using Threshold.Testing;
using static Threshold.Proofs.KnowledgeOfExponentVsEncryptionProof;

namespace Threshold.Proofs.Tests;

/// <summary>Πlog*: completeness at both levels, curves and bases, one test per verifier check, binding, wire format.</summary>
public sealed class KnowledgeOfExponentVsEncryptionProofTests
{
    private static readonly ProofContext Context = new("session-1"u8.ToArray(), 1);

    public static TheoryData<string, string, bool> LevelsCurvesAndBases
    {
        get
        {
            var data = new TheoryData<string, string, bool>();
            foreach (var level in new[] { "2048", "3072" })
            {
                foreach (var curve in new[] { "secp256k1", "P-256" })
                {
                    data.Add(level, curve, true);
                    data.Add(level, curve, false);
                }
            }

            return data;
        }
    }

    public static TheoryData<string> Levels => ["2048", "3072"];

    private static SecurityLevel L2048 => SecurityLevel.Bits2048;

    private static PaillierSecretKey ProverKey(SecurityLevel level) => TestPrimes.PaillierKey(level, 0);

    private static RingPedersenSecret VerifierSetup(SecurityLevel level) => TestSetups.RingPedersen(level, 1);

    /// <summary>A point Γ = γ·G with γ random: the base of presigning round 3.</summary>
    private static Point RandomBase(Curve curve, SeededRandom rng)
    {
        using var gamma = SecretScalar.Random(curve, rng);
        return Point.MultiplyGenerator(gamma);
    }

    /// <summary>C = enc(x; ρ) under the prover's key 0 and X = x·g, against the verifier's setup 1.</summary>
    internal static (Statement Statement, Witness Witness) Instance(
        SecurityLevel level,
        Curve curve,
        SeededRandom rng,
        bool generatorBase = false,
        BigInteger? plaintext = null)
    {
        var prover = ProverKey(level);
        var g = generatorBase ? curve.Generator : RandomBase(curve, rng);
        var x = plaintext ?? Sampling.Below(rng, curve.Order);
        var ciphertext = prover.Encrypt(x, rng, out var rho);
        var statement = new Statement(level, VerifierSetup(level).Parameters, prover.PublicKey, ciphertext, Scalar.FromValue(curve, x) * g, g);
        return (statement, new Witness(x, rho));
    }

    /// <summary>An honest proof at the 2048-bit level on secp256k1 with a random base, with its encoding.</summary>
    private static (Statement Statement, byte[] Encoded, Proof Proof) Honest(string seed, SecurityLevel? level = null, Curve? curve = null)
    {
        var at = level ?? L2048;
        var rng = new SeededRandom(seed);
        var (statement, witness) = Instance(at, curve ?? Curve.Secp256k1, rng);
        using (witness)
        {
            var proof = KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, witness, rng, ProverKey(at));
            return (statement, proof.Encode(), proof);
        }
    }

    private static string? Failed(Statement statement, Proof proof) =>
        KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, proof, VerifierSetup(statement.Level)).FailedCheck;

    [Theory]
    [MemberData(nameof(LevelsCurvesAndBases))]
    public void HonestProofVerifies(string levelName, string curveName, bool generatorBase)
    {
        var level = SecurityLevel.FromName(levelName);
        var rng = new SeededRandom($"logstar honest {levelName} {curveName} {generatorBase}");
        var (statement, witness) = Instance(level, Curve.FromName(curveName), rng, generatorBase);
        using (witness)
        {
            var proof = KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, witness, rng, ProverKey(level));
            Assert.Equal(Verdict.Valid, KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, proof, VerifierSetup(level)));
            Assert.Equal(Verdict.Valid, KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, proof));
        }
    }

    [Fact]
    public void CrtAndPublicPathsComputeTheSameProof()
    {
        var (statement, witness) = Instance(L2048, Curve.P256, new SeededRandom("logstar paths"));
        using (witness)
        {
            var withCrt = KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, witness, new SeededRandom("logstar paths prove"), ProverKey(L2048));
            var withoutCrt = KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, witness, new SeededRandom("logstar paths prove"));
            Assert.Equal(withCrt, withoutCrt);
        }
    }

    [Fact]
    public void ScalarWitnessAsInPresigningRoundThree()
    {
        // Δ_i = k_i·Γ against K_i = enc_i(k_i; ρ_i), with k_i a secret scalar and Γ a random point.
        var rng = new SeededRandom("logstar scalar witness");
        var curve = Curve.Secp256k1;
        var gamma = RandomBase(curve, rng);
        using var k = SecretScalar.Random(curve, rng);
        var ciphertext = ProverKey(L2048).Encrypt(k.Value.Value, rng, out var rho);
        var statement = new Statement(L2048, VerifierSetup(L2048).Parameters, ProverKey(L2048).PublicKey, ciphertext, k.Value * gamma, gamma);
        using var witness = new Witness(k, rho);
        var proof = KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, witness, rng, ProverKey(L2048));
        Assert.True(KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, proof, VerifierSetup(L2048)).IsValid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2)]
    public void PlaintextsAcrossTheHonestRangeVerify(int which)
    {
        // x = 0 makes X the identity, a legal statement; negative x and ±2^ℓ (beyond q) reduce mod q on the curve.
        var bound = BigInteger.One << L2048.Ell;
        var x = which switch { 0 => BigInteger.Zero, -1 => -bound, 1 => bound, _ => -98765 };
        var rng = new SeededRandom($"logstar range {which}");
        var (statement, witness) = Instance(L2048, Curve.Secp256k1, rng, plaintext: x);
        using (witness)
        {
            var proof = KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, witness, rng, ProverKey(L2048));
            Assert.True(KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, proof, VerifierSetup(L2048)).IsValid);
        }
    }

    [Fact]
    public void PointsOfAnotherCurveFailTheCurveCheck()
    {
        var (statement, _, proof) = Honest("logstar curve");
        var (p256Statement, _, p256Proof) = Honest("logstar curve p256", curve: Curve.P256);
        Assert.Equal(Checks.Curve, Failed(statement, proof with { Y = p256Proof.Y }));
        Assert.Equal(Checks.Curve, Failed(statement with { Base = p256Statement.Base }, proof));
        Assert.Equal(Checks.Curve, Failed(statement with { X = p256Statement.X }, proof));
    }

    [Fact]
    public void IdentityBaseFailsTheBaseCheck()
    {
        var (statement, _, proof) = Honest("logstar base");
        var degenerate = statement with { Base = Curve.Secp256k1.Identity, X = Curve.Secp256k1.Identity };
        Assert.Equal(Checks.Base, Failed(degenerate, proof));

        var rng = new SeededRandom("logstar base prove");
        var (_, witness) = Instance(L2048, Curve.Secp256k1, rng);
        using (witness)
        {
            Assert.Throws<ArgumentException>(() => KnowledgeOfExponentVsEncryptionProof.Prove(Context, degenerate with { C = statement.C }, witness, rng));
        }
    }

    [Fact]
    public void StatementCiphertextOutsideTheGroupFails()
    {
        var (statement, _, proof) = Honest("logstar group C");
        var other = TestPrimes.PaillierKey(SecurityLevel.Bits3072, 0).PublicKey;
        Assert.Equal(Checks.CiphertextGroup, Failed(statement with { C = other.Validate(statement.N0.NSquared + 1) }, proof));
        Assert.Equal(Checks.CiphertextGroup, Failed(statement with { C = other.Validate(statement.N0.N * 5) }, proof));
    }

    [Fact]
    public void ProofValuesOutsideTheirGroupsFail()
    {
        var (statement, _, proof) = Honest("logstar group proof");
        var nHat = statement.Setup.N;
        var n0 = statement.N0.N;
        var verifierPrime = TestPrimes.Pair(L2048, 1).P;
        var proverPrime = TestPrimes.Pair(L2048, 0).P;
        Proof[] tampered =
        [
            proof with { S = 0 },
            proof with { S = nHat + proof.S },
            proof with { S = verifierPrime },
            proof with { D = -proof.D },
            proof with { D = verifierPrime * 7 },
            proof with { A = 0 },
            proof with { A = statement.N0.NSquared },
            proof with { A = proverPrime },
            proof with { Z2 = 0 },
            proof with { Z2 = n0 },
            proof with { Z2 = proverPrime * 3 },
            proof with { Y = Curve.Secp256k1.Identity },
        ];
        foreach (var bad in tampered)
        {
            Assert.Equal(Checks.ProofGroup, Failed(statement, bad));
        }
    }

    [Fact]
    public void ResponseOutsideTheRangeFailsTheRangeCheck()
    {
        var (statement, _, proof) = Honest("logstar range z1");
        var bound = BigInteger.One << (L2048.Ell + L2048.Epsilon);
        Assert.Equal(Checks.RangeZ1, Failed(statement, proof with { Z1 = bound + 1 }));
        Assert.Equal(Checks.RangeZ1, Failed(statement, proof with { Z1 = -bound - 1 }));

        // The bound itself is inside the range: the first equality to run fails instead.
        Assert.Equal(Checks.GroupEquality, Failed(statement, proof with { Z1 = bound }));
    }

    [Fact]
    public void PlaintextOutsideTheRangeIsCaughtByTheRangeCheckAlone()
    {
        // Honest arithmetic on x = 2^(ℓ+ε+2): every equality holds, only z1 ∈ ±2^(ℓ+ε) rejects it.
        var x = BigInteger.One << (L2048.Ell + L2048.Epsilon + 2);
        var rng = new SeededRandom("logstar cheating plaintext");
        var (statement, witness) = Instance(L2048, Curve.Secp256k1, rng, plaintext: x);
        using (witness)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, witness, rng, ProverKey(L2048)));
            var proof = KnowledgeOfExponentVsEncryptionProof.ProveUnchecked(Context, statement, witness, rng, ProverKey(L2048));
            Assert.Equal(Checks.RangeZ1, Failed(statement, proof));

            var wide = statement with { Level = L2048 with { Epsilon = 1100 } };
            var admitted = KnowledgeOfExponentVsEncryptionProof.ProveUnchecked(Context, wide, witness, rng, ProverKey(L2048));
            Assert.Equal(Verdict.Valid, KnowledgeOfExponentVsEncryptionProof.Verify(Context, wide, admitted, VerifierSetup(L2048)));
        }
    }

    [Fact]
    public void PointNotMatchingThePlaintextFailsTheGroupEquality()
    {
        // X = (x + 1)·g while C encrypts x: the Paillier and ring-Pedersen parts are consistent, the curve part is not.
        var rng = new SeededRandom("logstar eq2");
        var (statement, witness) = Instance(L2048, Curve.Secp256k1, rng);
        using (witness)
        {
            var lying = statement with { X = statement.X + statement.Base };
            var proof = KnowledgeOfExponentVsEncryptionProof.Prove(Context, lying, witness, rng, ProverKey(L2048));
            Assert.Equal(Checks.GroupEquality, Failed(lying, proof));
        }

        var (honest, _, honestProof) = Honest("logstar eq2 tamper");
        Assert.Equal(Checks.GroupEquality, Failed(honest, honestProof with { Y = honestProof.Y + honest.Base }));
        Assert.Equal(Checks.GroupEquality, Failed(honest, honestProof with { Z1 = honestProof.Z1 + 1 }));
    }

    [Fact]
    public void TamperedRingPedersenResponseFailsTheThirdEquality()
    {
        var (statement, _, proof) = Honest("logstar eq3");
        Assert.Equal(Checks.RingPedersenEquality, Failed(statement, proof with { Z3 = proof.Z3 + 1 }));
        Assert.Equal(Checks.RingPedersenEquality, KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, proof with { Z3 = proof.Z3 - 1 }).FailedCheck);

        // z1 + q leaves the curve equation intact but not the commitment.
        Assert.Equal(Checks.RingPedersenEquality, Failed(statement, proof with { Z1 = proof.Z1 + statement.Curve.Order }));
    }

    [Fact]
    public void TamperedNonceResponseOrWrongCiphertextFailsTheFirstEquality()
    {
        var (statement, _, proof) = Honest("logstar eq1");
        var n0 = statement.N0;
        Assert.Equal(Checks.PaillierEquality, Failed(statement, proof with { Z2 = n0.Arithmetic.ModMul(proof.Z2, 2, n0.N) }));
        Assert.Equal(Checks.PaillierEquality, KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, proof with { Z2 = n0.Arithmetic.ModMul(proof.Z2, 5, n0.N) }).FailedCheck);

        // C encrypts x + q: the same point, the same commitment, another plaintext.
        var rng = new SeededRandom("logstar eq1 wrong C");
        var (honest, witness) = Instance(L2048, Curve.Secp256k1, rng);
        using (witness)
        {
            var lying = honest with { C = ProverKey(L2048).Encrypt(witness.Plaintext.Value + honest.Curve.Order, witness.Nonce.Value) };
            var lyingProof = KnowledgeOfExponentVsEncryptionProof.Prove(Context, lying, witness, rng, ProverKey(L2048));
            Assert.Equal(Checks.PaillierEquality, Failed(lying, lyingProof));
        }
    }

    [Fact]
    public void ProofIsBoundToSessionProverSetupBaseAndLevel()
    {
        var (statement, _, proof) = Honest("logstar binding");
        Assert.True(KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, proof).IsValid);
        Assert.False(KnowledgeOfExponentVsEncryptionProof.Verify(new ProofContext("session-2"u8.ToArray(), 1), statement, proof).IsValid);
        Assert.False(KnowledgeOfExponentVsEncryptionProof.Verify(new ProofContext("session-1"u8.ToArray(), 2), statement, proof).IsValid);
        Assert.False(KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement with { Setup = TestSetups.RingPedersen(L2048, 2).Parameters }, proof).IsValid);
        Assert.False(KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement with { Level = L2048 with { Ell = 255 } }, proof).IsValid);

        // The same x for two bases: a proof for one base does not pass for the other.
        var twoBase = statement with { Base = statement.Base + statement.Base, X = statement.X + statement.X };
        Assert.False(KnowledgeOfExponentVsEncryptionProof.Verify(Context, twoBase, proof).IsValid);
    }

    [Fact]
    public void ProveAndVerifyRejectBadArguments()
    {
        var rng = new SeededRandom("logstar arguments");
        var (statement, witness) = Instance(L2048, Curve.Secp256k1, rng);
        using (witness)
        {
            Assert.Throws<ArgumentException>(() => KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, witness, rng, TestPrimes.PaillierKey(L2048, 3)));
            var proof = KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, witness, rng);
            Assert.Throws<ArgumentException>(() => KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, proof, TestSetups.RingPedersen(L2048, 0)));
            Assert.Throws<ArgumentException>(() => KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement with { Base = Curve.P256.Generator }, witness, rng));
        }

        using var outOfRange = new Witness(-(BigInteger.One << L2048.Ell) - 1, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, outOfRange, rng));
        using var notAUnit = new Witness(5, 0);
        Assert.Throws<ArgumentException>(() => KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement, notAUnit, rng));
    }

    [Fact]
    public void WitnessIsRedactedAndWipedOnDispose()
    {
        var witness = new Witness(BigInteger.Parse("98765432109876543210987654321", System.Globalization.CultureInfo.InvariantCulture), 123456789123456789);
        Assert.DoesNotContain("9876543210", witness.ToString(), StringComparison.Ordinal);
        witness.Dispose();
        Assert.Throws<ObjectDisposedException>(() => witness.Plaintext.Value);
        Assert.Throws<ObjectDisposedException>(() => witness.Nonce.Value);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void EncodingRoundTrips(string levelName)
    {
        var level = SecurityLevel.FromName(levelName);
        var (statement, encoded, proof) = Honest("logstar wire " + levelName, level, Curve.P256);
        var decoded = Proof.Decode(statement, encoded);
        Assert.Equal(proof, decoded);
        Assert.True(KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, decoded, VerifierSetup(level)).IsValid);
    }

    [Fact]
    public void MalformedEncodingsAreRejectedWithTypedErrors()
    {
        var (statement, encoded, _) = Honest("logstar malformed");
        var message = Wire.KnowledgeOfExponentVsEncryptionProof.Parser.ParseFrom(encoded);

        Assert.Equal(DecodingError.Malformed, DecodeError(statement, encoded.AsSpan(0, encoded.Length - 7).ToArray()));
        Assert.Equal(DecodingError.Malformed, DecodeError(statement, [0x0A, 0xFF]));

        var nHat = statement.Setup.N;
        var n0 = statement.N0;
        var verifierPrime = TestPrimes.Pair(L2048, 1).Q;
        var proverPrime = TestPrimes.Pair(L2048, 0).Q;
        var responseBits = L2048.Ell + L2048.Epsilon + 1;
        var offCurve = new byte[33];
        offCurve[0] = 0x02;
        offCurve[^1] = 5; // x = 5: x³ + 7 is not a square mod p on secp256k1

        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.S = WireCodec.Unsigned(nHat + 1)));
        Assert.Equal(DecodingError.NotCoprime, Tampered(statement, message, m => m.S = WireCodec.Unsigned(verifierPrime)));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.D = WireCodec.Unsigned(0)));
        Assert.Equal(DecodingError.NotCoprime, Tampered(statement, message, m => m.D = WireCodec.Unsigned(verifierPrime * 2)));
        Assert.Equal(DecodingError.Malformed, Tampered(statement, message, m => m.D = ByteString.CopyFrom([0, .. m.D.ToByteArray()])));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.A = WireCodec.Unsigned(n0.NSquared + 1)));
        Assert.Equal(DecodingError.NotCoprime, Tampered(statement, message, m => m.A = WireCodec.Unsigned(proverPrime * n0.N)));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.Z2 = WireCodec.Unsigned(0)));
        Assert.Equal(DecodingError.NotCoprime, Tampered(statement, message, m => m.Z2 = WireCodec.Unsigned(proverPrime)));
        Assert.Equal(DecodingError.NotOnCurve, Tampered(statement, message, m => m.Y = ByteString.CopyFrom(offCurve)));
        Assert.Equal(DecodingError.Identity, Tampered(statement, message, m => m.Y = ByteString.CopyFrom(0)));
        Assert.Equal(DecodingError.Malformed, Tampered(statement, message, m => m.Y = ByteString.CopyFrom(m.Y.Span[..32])));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.Z1 = WireCodec.Signed(-(BigInteger.One << responseBits))));
        Assert.Equal(DecodingError.Malformed, Tampered(statement, message, m => m.Z1 = ByteString.CopyFrom(1)));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.Z3 = WireCodec.Signed(BigInteger.One << (responseBits + (int)nHat.GetBitLength()))));

        // Within the wire's size bound but outside ±2^(ℓ+ε): decodes, then fails the range check.
        var wide = message.Clone();
        wide.Z1 = WireCodec.Signed(-(BigInteger.One << (responseBits - 1)) - 1);
        Assert.Equal(Checks.RangeZ1, Failed(statement, Proof.Decode(statement, wide.ToByteArray())));
    }

    private static DecodingError DecodeError(Statement statement, byte[] encoded) =>
        Assert.Throws<DecodingException>(() => Proof.Decode(statement, encoded)).Reason;

    private static DecodingError Tampered(Statement statement, Wire.KnowledgeOfExponentVsEncryptionProof message, Action<Wire.KnowledgeOfExponentVsEncryptionProof> change)
    {
        var copy = message.Clone();
        change(copy);
        return DecodeError(statement, copy.ToByteArray());
    }
}
