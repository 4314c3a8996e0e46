using BenchmarkDotNet.Attributes;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Benchmarks.Proofs;

/// <summary>
/// Πfac (CGGMP21 Fig. 28): test key 0 proves under setup 1's parameters; verification with the public
/// parameters and with the verifier's own secret (CRT), as aux-info does.
/// </summary>
[MemoryDiagnoser]
public class NoSmallFactorBenchmarks
{
    private static readonly ProofContext Context = new("bench"u8.ToArray(), 1);
    private NoSmallFactorProof.Statement statement = null!;
    private NoSmallFactorProof.Witness witness = null!;
    private NoSmallFactorProof.Proof proof = null!;
    private RingPedersenSecret verifier = null!;
    private SeededRandom rng = null!;

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        var key = TestPrimes.PaillierKey(level, 0);
        verifier = TestSetups.RingPedersen(level, 1);
        rng = new SeededRandom($"fac bench {Level}");
        statement = new NoSmallFactorProof.Statement(key.PublicKey, verifier.Parameters, level);
        witness = NoSmallFactorProof.Witness.From(key);
        proof = NoSmallFactorProof.Prove(Context, statement, witness, rng);
    }

    [GlobalCleanup]
    public void Cleanup() => witness.Dispose();

    [Benchmark]
    public NoSmallFactorProof.Proof Prove() => NoSmallFactorProof.Prove(Context, statement, witness, rng);

    [Benchmark]
    public Verdict VerifyPublic() => NoSmallFactorProof.Verify(Context, statement, proof);

    [Benchmark]
    public Verdict VerifyWithVerifierSecret() => NoSmallFactorProof.Verify(Context, statement, proof, verifier);
}
