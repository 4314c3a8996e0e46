using BenchmarkDotNet.Attributes;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Benchmarks.Proofs;

/// <summary>Πmul (CGGMP21 Fig. 29) as the δ identification runs it: CRT prover, public verifier.</summary>
[MemoryDiagnoser]
public class PaillierMultiplicationBenchmarks
{
    private readonly ProofContext context = new("bench"u8.ToArray(), 1);
    private SeededRandom rng = null!;
    private PaillierSecretKey key = null!;
    private PaillierMultiplicationProof.Statement statement = null!;
    private PaillierMultiplicationProof.Witness witness = null!;
    private PaillierMultiplicationProof.Proof proof = null!;

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        var curve = Curve.Secp256k1;
        rng = new SeededRandom($"mul {Level}");
        key = TestPrimes.PaillierKey(level, 0);
        var pk = key.PublicKey;
        var x = Sampling.Below(rng, curve.Order);
        var bigX = key.Encrypt(x, rng, out var rhoX);
        var y = key.Encrypt(Sampling.Below(rng, curve.Order), rng, out _);
        var rho = pk.SampleNonce(rng);
        var c = pk.Add(pk.Multiply(y, x), key.Encrypt(0, rho));
        statement = new PaillierMultiplicationProof.Statement(pk, bigX, y, c, curve);
        witness = new PaillierMultiplicationProof.Witness(x, rho, rhoX);
        proof = PaillierMultiplicationProof.Prove(context, statement, witness, rng, key);
    }

    [GlobalCleanup]
    public void Cleanup() => witness.Dispose();

    [Benchmark]
    public PaillierMultiplicationProof.Proof Prove() => PaillierMultiplicationProof.Prove(context, statement, witness, rng, key);

    [Benchmark]
    public Verdict Verify() => PaillierMultiplicationProof.Verify(context, statement, proof);
}
