using BenchmarkDotNet.Attributes;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Benchmarks.Proofs;

/// <summary>Πmod (CGGMP21 Fig. 16) on test key 0: prove and verify, on one thread and on all cores.</summary>
[MemoryDiagnoser]
public class PaillierBlumModulusBenchmarks
{
    private static readonly ProofContext Context = new("bench"u8.ToArray(), 1);
    private PaillierBlumModulusProof.Statement statement = null!;
    private PaillierBlumModulusProof.Witness witness = null!;
    private PaillierBlumModulusProof.Proof proof = null!;
    private SeededRandom rng = null!;

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        var key = TestPrimes.PaillierKey(level, 0);
        rng = new SeededRandom($"mod bench {Level}");
        statement = PaillierBlumModulusProof.Statement.For(key.PublicKey, level);
        witness = PaillierBlumModulusProof.Witness.From(key);
        proof = PaillierBlumModulusProof.Prove(Context, statement, witness, rng);
    }

    [GlobalCleanup]
    public void Cleanup() => witness.Dispose();

    [Benchmark]
    public PaillierBlumModulusProof.Proof Prove() => PaillierBlumModulusProof.Prove(Context, statement, witness, rng);

    [Benchmark]
    public Verdict Verify() => PaillierBlumModulusProof.Verify(Context, statement, proof);

    [Benchmark]
    public Verdict VerifyAllCores() => PaillierBlumModulusProof.Verify(Context, statement, proof, Environment.ProcessorCount);
}
