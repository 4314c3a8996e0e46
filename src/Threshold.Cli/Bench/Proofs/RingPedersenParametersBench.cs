using Threshold.Paillier;
using Threshold.Proofs;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Πprm on the prover's ring-Pedersen setup: proving (CRT) and verifying, on one thread and on every
/// core. The encoded size is on the prove line.
/// </summary>
internal sealed class RingPedersenParametersBench : IProofBench
{
    public string Id => "prm";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var setup = fixture.Prover(level).Setup;
        var statement = new RingPedersenParametersProof.Statement(setup.Parameters, level);
        var witness = new RingPedersenParametersProof.Witness(setup);
        var cores = Environment.ProcessorCount;
        var proof = RingPedersenParametersProof.Prove(context, statement, witness, fixture.Random);
        yield return Measurement.Median($"proof.prm.prove.{level.Name}", () => RingPedersenParametersProof.Prove(context, statement, witness, fixture.Random), 10, 3000) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median($"proof.prm.verify.{level.Name}", () => RingPedersenParametersProof.Verify(context, statement, proof), 10, 3000);
        yield return Measurement.Median($"proof.prm.prove-parallel.{level.Name}", () => RingPedersenParametersProof.Prove(context, statement, witness, fixture.Random, cores), 10, 3000);
        yield return Measurement.Median($"proof.prm.verify-parallel.{level.Name}", () => RingPedersenParametersProof.Verify(context, statement, proof, cores), 10, 3000);
    }
}
