using BenchmarkDotNet.Attributes;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Benchmarks.Proofs;

/// <summary>
/// Πdec (CGGMP21 Fig. 30 with the z1 range check) as the δ identification runs it: a plaintext of
/// ℓ' + 10 bits, CRT prover, CRT verifier.
/// </summary>
[MemoryDiagnoser]
public class DecryptionModuloQBenchmarks
{
    private readonly ProofContext context = new("bench"u8.ToArray(), 1);
    private SeededRandom rng = null!;
    private PaillierSecretKey key = null!;
    private RingPedersenSecret verifier = null!;
    private DecryptionModuloQProof.Statement statement = null!;
    private DecryptionModuloQProof.Witness witness = null!;
    private DecryptionModuloQProof.Proof proof = null!;

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        var plaintextBits = level.EllPrime + 10;
        rng = new SeededRandom($"dec {Level}");
        key = TestPrimes.PaillierKey(level, 0);
        verifier = TestSetups.RingPedersen(level, 1);
        var y = Sampling.Signed(rng, plaintextBits);
        var c = key.Encrypt(y, rng, out var rho);
        statement = new DecryptionModuloQProof.Statement(key.PublicKey, c, Scalar.FromValue(Curve.Secp256k1, y), verifier.Parameters, level, plaintextBits);
        witness = new DecryptionModuloQProof.Witness(y, rho);
        proof = DecryptionModuloQProof.Prove(context, statement, witness, rng, key);
    }

    [GlobalCleanup]
    public void Cleanup() => witness.Dispose();

    [Benchmark]
    public DecryptionModuloQProof.Proof Prove() => DecryptionModuloQProof.Prove(context, statement, witness, rng, key);

    [Benchmark]
    public Verdict Verify() => DecryptionModuloQProof.Verify(context, statement, proof, verifier);
}
