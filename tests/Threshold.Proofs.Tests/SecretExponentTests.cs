using System.Collections.Concurrent;
using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Proofs.Tests;

/// <summary>
/// The provers of presigning and identification hand no secret to a variable-time routine: on the
/// moduli they do not own, the only exponents ModPow and MultiExp ever see are the public Paillier
/// moduli (r^N). Everything else (witnesses, masks) goes through the constant-time ModPowSecret.
/// Each test fails if a prover commits to its witness with RingPedersenParameters.Commit again.
/// </summary>
public sealed class SecretExponentTests
{
    private static readonly ProofContext Context = new("side channels"u8.ToArray(), 1);

    [Fact]
    public void AffineOperationWithGroupCommitmentProverKeepsSecretsOutOfVariableTimeRoutines()
    {
        var instance = AffineOperationWithGroupCommitmentProofTests.Instance.Make(SecurityLevel.Bits2048, Curve.Secp256k1, new SeededRandom("affg side channels"));
        AssertOnlyPublicExponents([instance.Statement.N0.N], recorder =>
        {
            var statement = instance.Statement with { Setup = Recording(instance.Statement.Setup, recorder), N0 = Recording(instance.Statement.N0, recorder) };
            var proof = AffineOperationWithGroupCommitmentProof.Prove(Context, statement, instance.Witness, new SeededRandom("affg prove"), instance.ProverKey);
            return AffineOperationWithGroupCommitmentProof.Verify(Context, instance.Statement, proof, instance.VerifierSetup, instance.VerifierKey);
        });
    }

    [Fact]
    public void AffineOperationWithPaillierCommitmentProverKeepsSecretsOutOfVariableTimeRoutines()
    {
        var instance = AffineOperationWithPaillierCommitmentProofTests.Instance.Make(SecurityLevel.Bits2048, Curve.Secp256k1, new SeededRandom("affp side channels"));
        AssertOnlyPublicExponents([instance.Statement.N0.N], recorder =>
        {
            var statement = instance.Statement with { Setup = Recording(instance.Statement.Setup, recorder), N0 = Recording(instance.Statement.N0, recorder) };
            var proof = AffineOperationWithPaillierCommitmentProof.Prove(Context, statement, instance.Witness, new SeededRandom("affp prove"), instance.ProverKey);
            return AffineOperationWithPaillierCommitmentProof.Verify(Context, instance.Statement, proof, instance.VerifierSetup);
        });
    }

    [Fact]
    public void EncryptionInRangeProverKeepsSecretsOutOfVariableTimeRoutines()
    {
        var (statement, witness) = PaillierEncryptionInRangeProofTests.Instance(SecurityLevel.Bits2048, Curve.Secp256k1, new SeededRandom("enc side channels"));
        AssertOnlyPublicExponents([], recorder =>
        {
            var proof = PaillierEncryptionInRangeProof.Prove(Context, statement with { Setup = Recording(statement.Setup, recorder) }, witness, new SeededRandom("enc prove"), ProverKey);
            return PaillierEncryptionInRangeProof.Verify(Context, statement, proof, VerifierSetup);
        });
    }

    [Fact]
    public void KnowledgeOfExponentProverKeepsSecretsOutOfVariableTimeRoutines()
    {
        var (statement, witness) = KnowledgeOfExponentVsEncryptionProofTests.Instance(SecurityLevel.Bits2048, Curve.Secp256k1, new SeededRandom("logstar side channels"));
        AssertOnlyPublicExponents([], recorder =>
        {
            var proof = KnowledgeOfExponentVsEncryptionProof.Prove(Context, statement with { Setup = Recording(statement.Setup, recorder) }, witness, new SeededRandom("logstar prove"), ProverKey);
            return KnowledgeOfExponentVsEncryptionProof.Verify(Context, statement, proof, VerifierSetup);
        });
    }

    [Fact]
    public void MultiplicationWithGroupCommitmentProverKeepsSecretsOutOfVariableTimeRoutines()
    {
        var (statement, witness) = MultiplicationWithGroupCommitmentProofTests.Instance(SecurityLevel.Bits2048, Curve.Secp256k1, new SeededRandom("mulstar side channels"));
        AssertOnlyPublicExponents([], recorder =>
        {
            var proof = MultiplicationWithGroupCommitmentProof.Prove(Context, statement with { VerifierSetup = Recording(statement.VerifierSetup, recorder) }, witness, new SeededRandom("mulstar prove"), ProverKey);
            return MultiplicationWithGroupCommitmentProof.Verify(Context, statement, proof, VerifierSetup);
        });
    }

    [Fact]
    public void DecryptionModuloQProverKeepsSecretsOutOfVariableTimeRoutines()
    {
        var (statement, witness) = DecryptionModuloQProofTests.Instance(SecurityLevel.Bits2048, Curve.Secp256k1, new SeededRandom("dec side channels"));
        AssertOnlyPublicExponents([], recorder =>
        {
            var proof = DecryptionModuloQProof.Prove(Context, statement with { VerifierSetup = Recording(statement.VerifierSetup, recorder) }, witness, new SeededRandom("dec prove"), ProverKey);
            return DecryptionModuloQProof.Verify(Context, statement, proof, VerifierSetup);
        });
    }

    private static PaillierSecretKey ProverKey => TestPrimes.PaillierKey(SecurityLevel.Bits2048, 0);

    private static RingPedersenSecret VerifierSetup => TestSetups.RingPedersen(SecurityLevel.Bits2048, 1);

    /// <summary>
    /// Proves on moduli the prover does not own through a recording backend, and checks that the
    /// variable-time routines saw no exponent but <paramref name="publicExponents"/>, that the
    /// constant-time one was used (so the recorder was in the path), and that the proof verifies.
    /// </summary>
    private static void AssertOnlyPublicExponents(BigInteger[] publicExponents, Func<VariableTimeRecorder, Verdict> proveAndVerify)
    {
        var recorder = new VariableTimeRecorder(Backends.Gmp);
        Assert.Equal(Verdict.Valid, proveAndVerify(recorder));
        Assert.True(recorder.SecretCalls > 0);
        Assert.All(recorder.Exponents, e => Assert.Contains(e, publicExponents));
    }

    private static RingPedersenParameters Recording(RingPedersenParameters setup, IArithmetic arithmetic) => new(setup.N, setup.S, setup.T, arithmetic);

    private static PaillierPublicKey Recording(PaillierPublicKey key, IArithmetic arithmetic) => new(key.N, arithmetic);

    /// <summary>Passes every call through and keeps the exponents given to the variable-time routines.</summary>
    private sealed class VariableTimeRecorder(IArithmetic inner) : IArithmetic
    {
        private readonly ConcurrentQueue<BigInteger> exponents = new();

        private int secretCalls;

        public IReadOnlyCollection<BigInteger> Exponents => exponents;

        public int SecretCalls => secretCalls;

        public string Name => "recording";

        public BigInteger ModPow(BigInteger value, BigInteger exponent, BigInteger modulus)
        {
            exponents.Enqueue(exponent);
            return inner.ModPow(value, exponent, modulus);
        }

        public BigInteger MultiExp(BigInteger a, BigInteger x, BigInteger b, BigInteger y, BigInteger modulus)
        {
            exponents.Enqueue(x);
            exponents.Enqueue(y);
            return inner.MultiExp(a, x, b, y, modulus);
        }

        public BigInteger ModPowSecret(BigInteger value, BigInteger exponent, BigInteger modulus)
        {
            Interlocked.Increment(ref secretCalls);
            return inner.ModPowSecret(value, exponent, modulus);
        }

        public BigInteger ModMul(BigInteger a, BigInteger b, BigInteger modulus) => inner.ModMul(a, b, modulus);

        public bool TryModInverse(BigInteger value, BigInteger modulus, out BigInteger inverse) => inner.TryModInverse(value, modulus, out inverse);

        public BigInteger Gcd(BigInteger a, BigInteger b) => inner.Gcd(a, b);

        public int Jacobi(BigInteger a, BigInteger n) => inner.Jacobi(a, n);

        public bool IsProbablePrime(BigInteger n, int rounds = 40) => inner.IsProbablePrime(n, rounds);
    }
}
