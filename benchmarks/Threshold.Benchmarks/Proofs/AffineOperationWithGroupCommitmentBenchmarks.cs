using BenchmarkDotNet.Attributes;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Secrets;
using Threshold.Testing;
using Affg = Threshold.Proofs.AffineOperationWithGroupCommitmentProof;

namespace Threshold.Benchmarks.Proofs;

/// <summary>
/// Πaff-g with the pregenerated test keys: prover on key 0 (N1), verifier on key 1 (N0 and N̂). Verify
/// runs as presigning does, with the verifier's CRT shortcuts, and without them for comparison.
/// </summary>
[MemoryDiagnoser]
public class AffineOperationWithGroupCommitmentBenchmarks
{
    private static readonly ProofContext Context = new("bench"u8.ToArray(), 1);
    private readonly SeededRandom rng = new("affg bench");
    private Affg.Statement statement = null!;
    private Affg.Witness witness = null!;
    private Affg.Proof proof = null!;
    private PaillierSecretKey proverKey = null!;
    private PaillierSecretKey verifierKey = null!;
    private RingPedersenSecret verifierSetup = null!;

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        proverKey = TestPrimes.PaillierKey(level, 0);
        verifierKey = TestPrimes.PaillierKey(level, 1);
        verifierSetup = TestSetups.RingPedersen(level, 1);
        var n0 = verifierKey.PublicKey;
        var n1 = proverKey.PublicKey;
        var x = Scalar.Random(Curve.Secp256k1, rng).Value;
        var y = -Sampling.Signed(rng, level.EllPrime);
        var rho = n0.SampleNonce(rng);
        var rhoY = n1.SampleNonce(rng);
        var k = n0.Encrypt(Scalar.Random(Curve.Secp256k1, rng).Value, rng, out _);
        var d = n0.Add(n0.Multiply(k, x), n0.Encrypt(y, rho));
        statement = new Affg.Statement(level, verifierSetup.Parameters, n0, n1, k, d, proverKey.Encrypt(y, rhoY), Point.MultiplyGenerator(Scalar.FromValue(Curve.Secp256k1, x)));
        witness = new Affg.Witness(new SecretBigInteger(x), new SecretBigInteger(y), new SecretBigInteger(rho), new SecretBigInteger(rhoY));
        proof = Affg.Prove(Context, statement, witness, rng, proverKey);
    }

    [Benchmark]
    public Affg.Proof Prove() => Affg.Prove(Context, statement, witness, rng, proverKey);

    [Benchmark]
    public Affg.Proof ProveWithoutProverKey() => Affg.Prove(Context, statement, witness, rng);

    [Benchmark]
    public Verdict Verify() => Affg.Verify(Context, statement, proof, verifierSetup, verifierKey);

    [Benchmark]
    public Verdict VerifyWithoutVerifierSecrets() => Affg.Verify(Context, statement, proof);
}
