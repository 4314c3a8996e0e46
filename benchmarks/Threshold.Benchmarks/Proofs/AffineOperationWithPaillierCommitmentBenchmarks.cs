using BenchmarkDotNet.Attributes;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Secrets;
using Threshold.Testing;
using Affp = Threshold.Proofs.AffineOperationWithPaillierCommitmentProof;

namespace Threshold.Benchmarks.Proofs;

/// <summary>
/// Πaff-p with the pregenerated test keys: prover on key 0 (N1), N0 and N̂ on key 1. Verify with the
/// owner's CRT shortcuts (P_j checking D_{j,i}) and without them (a third party).
/// </summary>
[MemoryDiagnoser]
public class AffineOperationWithPaillierCommitmentBenchmarks
{
    private static readonly ProofContext Context = new("bench"u8.ToArray(), 1);
    private readonly SeededRandom rng = new("affp bench");
    private Affp.Statement statement = null!;
    private Affp.Witness witness = null!;
    private Affp.Proof proof = null!;
    private PaillierSecretKey proverKey = null!;
    private PaillierSecretKey n0Key = null!;
    private RingPedersenSecret verifierSetup = null!;

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        proverKey = TestPrimes.PaillierKey(level, 0);
        n0Key = TestPrimes.PaillierKey(level, 1);
        verifierSetup = TestSetups.RingPedersen(level, 1);
        var n0 = n0Key.PublicKey;
        var n1 = proverKey.PublicKey;
        var x = Scalar.Random(Curve.Secp256k1, rng).Value;
        var y = -Sampling.Signed(rng, level.EllPrime);
        var rho = n0.SampleNonce(rng);
        var rhoX = n1.SampleNonce(rng);
        var rhoY = n1.SampleNonce(rng);
        var k = n0.Encrypt(Scalar.Random(Curve.Secp256k1, rng).Value, rng, out _);
        var d = n0.Add(n0.Multiply(k, x), n0.Encrypt(y, rho));
        statement = new Affp.Statement(level, Curve.Secp256k1, verifierSetup.Parameters, n0, n1, k, d, proverKey.Encrypt(x, rhoX), proverKey.Encrypt(y, rhoY));
        witness = new Affp.Witness(new SecretBigInteger(x), new SecretBigInteger(y), new SecretBigInteger(rho), new SecretBigInteger(rhoX), new SecretBigInteger(rhoY));
        proof = Affp.Prove(Context, statement, witness, rng, proverKey);
    }

    [Benchmark]
    public Affp.Proof Prove() => Affp.Prove(Context, statement, witness, rng, proverKey);

    [Benchmark]
    public Verdict Verify() => Affp.Verify(Context, statement, proof, verifierSetup, n0Key);

    [Benchmark]
    public Verdict VerifyWithoutVerifierSecrets() => Affp.Verify(Context, statement, proof);
}
