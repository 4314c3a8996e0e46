using System.Numerics;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Randomness;
using Threshold.Secrets;
using Threshold.Testing;
using static Threshold.Proofs.PaillierEncryptionInRangeProof;

namespace Threshold.Proofs.Tests;

/// <summary>Πenc: completeness at both levels and curves, one test per verifier check, binding, wire format.</summary>
public sealed class PaillierEncryptionInRangeProofTests
{
    private static readonly ProofContext Context = new("session-1"u8.ToArray(), 1);

    public static TheoryData<string, string> LevelsAndCurves => new()
    {
        { "2048", "secp256k1" },
        { "2048", "P-256" },
        { "3072", "secp256k1" },
        { "3072", "P-256" },
    };

    public static TheoryData<string> Levels => ["2048", "3072"];

    private static SecurityLevel L2048 => SecurityLevel.Bits2048;

    private static PaillierSecretKey ProverKey(SecurityLevel level) => TestPrimes.PaillierKey(level, 0);

    private static RingPedersenSecret VerifierSetup(SecurityLevel level) => TestSetups.RingPedersen(level, 1);

    /// <summary>K = enc(k; ρ) under the prover's key 0, against the verifier's setup 1.</summary>
    internal static (Statement Statement, Witness Witness) Instance(SecurityLevel level, Curve curve, SeededRandom rng, BigInteger? plaintext = null)
    {
        var prover = ProverKey(level);
        var k = plaintext ?? Sampling.Below(rng, curve.Order);
        var ciphertext = prover.Encrypt(k, rng, out var rho);
        return (new Statement(level, curve, VerifierSetup(level).Parameters, prover.PublicKey, ciphertext), new Witness(k, rho));
    }

    private static Proof HonestProof(SecurityLevel level, string seed, out Statement statement)
    {
        var rng = new SeededRandom(seed);
        var (s, witness) = Instance(level, Curve.Secp256k1, rng);
        using (witness)
        {
            statement = s;
            return PaillierEncryptionInRangeProof.Prove(Context, s, witness, rng, ProverKey(level));
        }
    }

    private static string? Failed(Statement statement, Proof proof) =>
        PaillierEncryptionInRangeProof.Verify(Context, statement, proof, VerifierSetup(statement.Level)).FailedCheck;

    [Theory]
    [MemberData(nameof(LevelsAndCurves))]
    public void HonestProofVerifies(string levelName, string curveName)
    {
        var level = SecurityLevel.FromName(levelName);
        var rng = new SeededRandom($"enc honest {levelName} {curveName}");
        var (statement, witness) = Instance(level, Curve.FromName(curveName), rng);
        using (witness)
        {
            var proof = PaillierEncryptionInRangeProof.Prove(Context, statement, witness, rng, ProverKey(level));
            Assert.Equal(Verdict.Valid, PaillierEncryptionInRangeProof.Verify(Context, statement, proof, VerifierSetup(level)));
            Assert.Equal(Verdict.Valid, PaillierEncryptionInRangeProof.Verify(Context, statement, proof));
        }
    }

    [Fact]
    public void CrtAndPublicPathsComputeTheSameProof()
    {
        var (statement, witness) = Instance(L2048, Curve.P256, new SeededRandom("enc paths"));
        using (witness)
        {
            var withCrt = PaillierEncryptionInRangeProof.Prove(Context, statement, witness, new SeededRandom("enc paths prove"), ProverKey(L2048));
            var withoutCrt = PaillierEncryptionInRangeProof.Prove(Context, statement, witness, new SeededRandom("enc paths prove"));
            Assert.Equal(withCrt, withoutCrt);
        }
    }

    [Fact]
    public void ScalarWitnessAsInPresigningRoundOne()
    {
        // K_i = enc_i(k_i; ρ_i) with k_i a secret scalar, proved to counterparty j's setup.
        var rng = new SeededRandom("enc scalar witness");
        using var k = SecretScalar.Random(Curve.Secp256k1, rng);
        var ciphertext = ProverKey(L2048).Encrypt(k.Value.Value, rng, out var rho);
        var statement = new Statement(L2048, Curve.Secp256k1, VerifierSetup(L2048).Parameters, ProverKey(L2048).PublicKey, ciphertext);
        using var witness = new Witness(k, rho);
        Assert.Equal(k.Value.Value, witness.Plaintext.Value);
        var proof = PaillierEncryptionInRangeProof.Prove(Context, statement, witness, rng, ProverKey(L2048));
        Assert.True(PaillierEncryptionInRangeProof.Verify(Context, statement, proof, VerifierSetup(L2048)).IsValid);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2)]
    public void PlaintextsAcrossTheHonestRangeVerify(int which)
    {
        var bound = BigInteger.One << L2048.Ell;
        var k = which switch { 0 => BigInteger.Zero, -1 => -bound, 1 => bound, _ => -12345 };
        var rng = new SeededRandom($"enc range {which}");
        var (statement, witness) = Instance(L2048, Curve.Secp256k1, rng, k);
        using (witness)
        {
            var proof = PaillierEncryptionInRangeProof.Prove(Context, statement, witness, rng, ProverKey(L2048));
            Assert.True(PaillierEncryptionInRangeProof.Verify(Context, statement, proof, VerifierSetup(L2048)).IsValid);
        }
    }

    [Fact]
    public void StatementCiphertextOutsideTheGroupFails()
    {
        var (statement, _, proof) = Honest("enc group K");
        var other = TestPrimes.PaillierKey(SecurityLevel.Bits3072, 0).PublicKey;

        // Valid ciphertexts of a larger key, but not elements of Z*_{N0²}.
        var tooLarge = other.Validate(statement.N0.NSquared + 1);
        var sharesFactor = other.Validate(statement.N0.N * 3);
        Assert.Equal(Checks.CiphertextGroup, Failed(statement with { K = tooLarge }, proof));
        Assert.Equal(Checks.CiphertextGroup, Failed(statement with { K = sharesFactor }, proof));
    }

    [Fact]
    public void ProofValuesOutsideTheirGroupsFail()
    {
        var (statement, _, proof) = Honest("enc group proof");
        var nHat = statement.Setup.N;
        var n0 = statement.N0.N;
        var verifierPrime = TestPrimes.Pair(L2048, 1).P;
        var proverPrime = TestPrimes.Pair(L2048, 0).P;
        Proof[] tampered =
        [
            proof with { S = 0 },
            proof with { S = nHat },
            proof with { S = verifierPrime },
            proof with { C = nHat + proof.C },
            proof with { C = verifierPrime * 5 },
            proof with { A = 0 },
            proof with { A = statement.N0.NSquared + proof.A },
            proof with { A = n0 },
            proof with { Z2 = 0 },
            proof with { Z2 = n0 + 1 },
            proof with { Z2 = proverPrime },
        ];
        foreach (var bad in tampered)
        {
            Assert.Equal(Checks.ProofGroup, Failed(statement, bad));
        }
    }

    [Fact]
    public void ResponseOutsideTheRangeFailsTheRangeCheck()
    {
        var (statement, _, proof) = Honest("enc range z1");
        var bound = BigInteger.One << (L2048.Ell + L2048.Epsilon);
        Assert.Equal(Checks.RangeZ1, Failed(statement, proof with { Z1 = bound + 1 }));
        Assert.Equal(Checks.RangeZ1, Failed(statement, proof with { Z1 = -bound - 1 }));

        // The bound itself is inside the range: the next check (an equality) is what fails.
        Assert.Equal(Checks.RingPedersenEquality, Failed(statement, proof with { Z1 = bound }));
        Assert.Equal(Checks.RingPedersenEquality, Failed(statement, proof with { Z1 = -bound }));
    }

    [Fact]
    public void PlaintextOutsideTheRangeIsCaughtByTheRangeCheckAlone()
    {
        // A cheating prover runs the honest arithmetic on k = 2^(ℓ+ε+2), far outside ±2^ℓ: both
        // equalities hold, and only z1 ∈ ±2^(ℓ+ε) rejects it.
        var k = BigInteger.One << (L2048.Ell + L2048.Epsilon + 2);
        var rng = new SeededRandom("enc cheating plaintext");
        var (statement, witness) = Instance(L2048, Curve.Secp256k1, rng, k);
        using (witness)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => PaillierEncryptionInRangeProof.Prove(Context, statement, witness, rng, ProverKey(L2048)));
            var proof = PaillierEncryptionInRangeProof.ProveUnchecked(Context, statement, witness, rng, ProverKey(L2048));
            Assert.Equal(Checks.RangeZ1, Failed(statement, proof));

            // Under a level whose slack admits k (ε = 1100), the same arithmetic verifies: the
            // equalities were sound all along.
            var wide = statement with { Level = L2048 with { Epsilon = 1100 } };
            var admitted = PaillierEncryptionInRangeProof.ProveUnchecked(Context, wide, witness, rng, ProverKey(L2048));
            Assert.Equal(Verdict.Valid, PaillierEncryptionInRangeProof.Verify(Context, wide, admitted, VerifierSetup(L2048)));
        }
    }

    [Fact]
    public void TamperedRingPedersenResponseFailsTheSecondEquality()
    {
        var (statement, _, proof) = Honest("enc eq2");
        Assert.Equal(Checks.RingPedersenEquality, Failed(statement, proof with { Z3 = proof.Z3 + 1 }));
        Assert.Equal(Checks.RingPedersenEquality, Failed(statement, proof with { Z1 = proof.Z1 + 1 }));
        Assert.Equal(Checks.RingPedersenEquality, PaillierEncryptionInRangeProof.Verify(Context, statement, proof with { Z3 = proof.Z3 - 1 }).FailedCheck);

        // Changing a first-message value changes the challenge, so the first equality to run fails.
        var otherUnit = statement.Setup.Arithmetic.ModMul(proof.S, statement.Setup.T, statement.Setup.N);
        Assert.Equal(Checks.RingPedersenEquality, Failed(statement, proof with { S = otherUnit }));
    }

    [Fact]
    public void TamperedNonceResponseFailsTheFirstEquality()
    {
        var (statement, _, proof) = Honest("enc eq1");
        var n0 = statement.N0;
        Assert.Equal(Checks.PaillierEquality, Failed(statement, proof with { Z2 = n0.Arithmetic.ModMul(proof.Z2, 2, n0.N) }));
        Assert.Equal(Checks.PaillierEquality, PaillierEncryptionInRangeProof.Verify(Context, statement, proof with { Z2 = n0.Arithmetic.ModMul(proof.Z2, 3, n0.N) }).FailedCheck);
    }

    [Fact]
    public void WrongWitnessFailsTheFirstEquality()
    {
        // K encrypts k + 1 but the prover uses k: the commitments are consistent, the encryption is not.
        var rng = new SeededRandom("enc wrong witness");
        var (statement, witness) = Instance(L2048, Curve.Secp256k1, rng);
        using (witness)
        {
            var shifted = ProverKey(L2048).Encrypt(witness.Plaintext.Value + 1, witness.Nonce.Value);
            var lying = statement with { K = shifted };
            var proof = PaillierEncryptionInRangeProof.Prove(Context, lying, witness, rng, ProverKey(L2048));
            Assert.Equal(Checks.PaillierEquality, Failed(lying, proof));
        }
    }

    [Fact]
    public void ProofIsBoundToSessionProverSetupCurveAndLevel()
    {
        var (statement, _, proof) = Honest("enc binding");
        Assert.True(PaillierEncryptionInRangeProof.Verify(Context, statement, proof).IsValid);
        Assert.False(PaillierEncryptionInRangeProof.Verify(new ProofContext("session-2"u8.ToArray(), 1), statement, proof).IsValid);
        Assert.False(PaillierEncryptionInRangeProof.Verify(new ProofContext("session-1"u8.ToArray(), 2), statement, proof).IsValid);
        Assert.False(PaillierEncryptionInRangeProof.Verify(Context, statement with { Setup = TestSetups.RingPedersen(L2048, 2).Parameters }, proof).IsValid);
        Assert.False(PaillierEncryptionInRangeProof.Verify(Context, statement with { Curve = Curve.P256 }, proof).IsValid);
        Assert.False(PaillierEncryptionInRangeProof.Verify(Context, statement with { Level = L2048 with { Epsilon = 513 } }, proof).IsValid);
    }

    [Fact]
    public void ProofForAnotherCiphertextFails()
    {
        var (statement, _, proof) = Honest("enc other K");
        var other = ProverKey(L2048).Encrypt(7, new SeededRandom("enc other K nonce"), out _);
        Assert.Equal(Checks.RingPedersenEquality, Failed(statement with { K = other }, proof));
    }

    [Fact]
    public void ProveRejectsBadArguments()
    {
        var rng = new SeededRandom("enc arguments");
        var (statement, witness) = Instance(L2048, Curve.Secp256k1, rng);
        using (witness)
        {
            var wrongKey = TestPrimes.PaillierKey(L2048, 2);
            Assert.Throws<ArgumentException>(() => PaillierEncryptionInRangeProof.Prove(Context, statement, witness, rng, wrongKey));
            Assert.Throws<ArgumentException>(() => PaillierEncryptionInRangeProof.Verify(Context, statement, PaillierEncryptionInRangeProof.Prove(Context, statement, witness, rng), TestSetups.RingPedersen(L2048, 2)));
        }

        using var outOfRange = new Witness((BigInteger.One << L2048.Ell) + 1, 1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PaillierEncryptionInRangeProof.Prove(Context, statement, outOfRange, rng));
        Assert.DoesNotContain(((BigInteger.One << L2048.Ell) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);

        using var notAUnit = new Witness(5, statement.N0.N);
        Assert.Throws<ArgumentException>(() => PaillierEncryptionInRangeProof.Prove(Context, statement, notAUnit, rng));
    }

    [Fact]
    public void WitnessIsRedactedAndWipedOnDispose()
    {
        var witness = new Witness(BigInteger.Parse("123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture), 987654321987654321);
        Assert.DoesNotContain("1234567890", witness.ToString(), StringComparison.Ordinal);
        witness.Dispose();
        Assert.Throws<ObjectDisposedException>(() => witness.Plaintext.Value);
        Assert.Throws<ObjectDisposedException>(() => witness.Nonce.Value);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void EncodingRoundTrips(string levelName)
    {
        var level = SecurityLevel.FromName(levelName);
        var proof = HonestProof(level, "enc wire " + levelName, out var statement);
        var decoded = Proof.Decode(statement, proof.Encode());
        Assert.Equal(proof, decoded);
        Assert.True(PaillierEncryptionInRangeProof.Verify(Context, statement, decoded, VerifierSetup(level)).IsValid);
    }

    [Fact]
    public void MalformedEncodingsAreRejectedWithTypedErrors()
    {
        var (statement, encoded, _) = Honest("enc malformed");
        var message = Wire.PaillierEncryptionInRangeProof.Parser.ParseFrom(encoded);

        Assert.Equal(DecodingError.Malformed, DecodeError(statement, encoded.AsSpan(0, encoded.Length - 5).ToArray()));
        Assert.Equal(DecodingError.Malformed, DecodeError(statement, [0xFF, 0xFF, 0xFF]));

        var nHat = statement.Setup.N;
        var n0 = statement.N0;
        var verifierPrime = TestPrimes.Pair(L2048, 1).Q;
        var proverPrime = TestPrimes.Pair(L2048, 0).Q;
        var responseBits = L2048.Ell + L2048.Epsilon + 1;

        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.S = WireCodec.Unsigned(nHat)));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.S = WireCodec.Unsigned(0)));
        Assert.Equal(DecodingError.NotCoprime, Tampered(statement, message, m => m.S = WireCodec.Unsigned(verifierPrime)));
        Assert.Equal(DecodingError.Malformed, Tampered(statement, message, m => m.S = ByteString.CopyFrom([0, .. m.S.ToByteArray()])));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.C = WireCodec.Unsigned(nHat * 2)));
        Assert.Equal(DecodingError.NotCoprime, Tampered(statement, message, m => m.C = WireCodec.Unsigned(verifierPrime * 3)));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.A = WireCodec.Unsigned(n0.NSquared)));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.A = WireCodec.Unsigned(0)));
        Assert.Equal(DecodingError.NotCoprime, Tampered(statement, message, m => m.A = WireCodec.Unsigned(n0.N)));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.Z2 = WireCodec.Unsigned(n0.N)));
        Assert.Equal(DecodingError.NotCoprime, Tampered(statement, message, m => m.Z2 = WireCodec.Unsigned(proverPrime)));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.Z1 = WireCodec.Signed(BigInteger.One << responseBits)));
        Assert.Equal(DecodingError.Malformed, Tampered(statement, message, m => m.Z1 = ByteString.CopyFrom(2, 1)));
        Assert.Equal(DecodingError.Malformed, Tampered(statement, message, m => m.Z1 = ByteString.Empty));
        Assert.Equal(DecodingError.OutOfRange, Tampered(statement, message, m => m.Z3 = WireCodec.Signed(-(BigInteger.One << (responseBits + (int)nHat.GetBitLength())))));

        // Within the wire's size bound but outside ±2^(ℓ+ε): decodes, then fails the range check.
        var wide = message.Clone();
        wide.Z1 = WireCodec.Signed((BigInteger.One << (responseBits - 1)) + 1);
        var decoded = Proof.Decode(statement, wide.ToByteArray());
        Assert.Equal(Checks.RangeZ1, Failed(statement, decoded));
    }

    /// <summary>An honest proof at the 2048-bit level on secp256k1, with its encoding.</summary>
    private static (Statement Statement, byte[] Encoded, Proof Proof) Honest(string seed)
    {
        var proof = HonestProof(L2048, seed, out var statement);
        return (statement, proof.Encode(), proof);
    }

    private static DecodingError DecodeError(Statement statement, byte[] encoded) =>
        Assert.Throws<DecodingException>(() => Proof.Decode(statement, encoded)).Reason;

    private static DecodingError Tampered(Statement statement, Wire.PaillierEncryptionInRangeProof message, Action<Wire.PaillierEncryptionInRangeProof> change)
    {
        var copy = message.Clone();
        change(copy);
        return DecodeError(statement, copy.ToByteArray());
    }
}
