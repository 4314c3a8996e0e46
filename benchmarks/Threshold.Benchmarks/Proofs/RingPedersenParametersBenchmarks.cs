using BenchmarkDotNet.Attributes;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Benchmarks.Proofs;

/// <summary>Πprm (CGGMP21 Fig. 17) on test setup 0: prove (CRT) and verify, on one thread and on all cores.</summary>
[MemoryDiagnoser]
public class RingPedersenParametersBenchmarks
{
    private static readonly ProofContext Context = new("bench"u8.ToArray(), 1);
    private RingPedersenParametersProof.Statement statement = null!;
    private RingPedersenParametersProof.Witness witness = null!;
    private RingPedersenParametersProof.Proof proof = null!;
    private SeededRandom rng = null!;

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        var setup = TestSetups.RingPedersen(level, 0);
        rng = new SeededRandom($"prm bench {Level}");
        statement = new RingPedersenParametersProof.Statement(setup.Parameters, level);
        witness = new RingPedersenParametersProof.Witness(setup);
        proof = RingPedersenParametersProof.Prove(Context, statement, witness, rng);
    }

    [Benchmark]
    public RingPedersenParametersProof.Proof Prove() => RingPedersenParametersProof.Prove(Context, statement, witness, rng);

    [Benchmark]
    public Verdict Verify() => RingPedersenParametersProof.Verify(Context, statement, proof);

    [Benchmark]
    public Verdict VerifyAllCores() => RingPedersenParametersProof.Verify(Context, statement, proof, Environment.ProcessorCount);
}
