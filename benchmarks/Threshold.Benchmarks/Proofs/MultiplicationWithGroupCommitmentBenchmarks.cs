using BenchmarkDotNet.Attributes;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Benchmarks.Proofs;

/// <summary>Πmul* (CGGMP21 Fig. 31) as the σ identification runs it: CRT prover, CRT verifier.</summary>
[MemoryDiagnoser]
public class MultiplicationWithGroupCommitmentBenchmarks
{
    private readonly ProofContext context = new("bench"u8.ToArray(), 1);
    private SeededRandom rng = null!;
    private PaillierSecretKey key = null!;
    private RingPedersenSecret verifier = null!;
    private MultiplicationWithGroupCommitmentProof.Statement statement = null!;
    private MultiplicationWithGroupCommitmentProof.Witness witness = null!;
    private MultiplicationWithGroupCommitmentProof.Proof proof = null!;

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        var curve = Curve.Secp256k1;
        rng = new SeededRandom($"mulstar {Level}");
        key = TestPrimes.PaillierKey(level, 0);
        verifier = TestSetups.RingPedersen(level, 1);
        var pk = key.PublicKey;
        var x = Sampling.Below(rng, curve.Order);
        var c = key.Encrypt(Sampling.Below(rng, curve.Order), rng, out _);
        var rho = pk.SampleNonce(rng);
        var d = pk.Add(pk.Multiply(c, x), key.Encrypt(0, rho));
        statement = new MultiplicationWithGroupCommitmentProof.Statement(pk, c, d, Point.MultiplyGenerator(Scalar.FromValue(curve, x)), verifier.Parameters, level);
        witness = new MultiplicationWithGroupCommitmentProof.Witness(x, rho);
        proof = MultiplicationWithGroupCommitmentProof.Prove(context, statement, witness, rng, key);
    }

    [GlobalCleanup]
    public void Cleanup() => witness.Dispose();

    [Benchmark]
    public MultiplicationWithGroupCommitmentProof.Proof Prove() => MultiplicationWithGroupCommitmentProof.Prove(context, statement, witness, rng, key);

    [Benchmark]
    public Verdict Verify() => MultiplicationWithGroupCommitmentProof.Verify(context, statement, proof, verifier);
}
