using Threshold.Paillier;
using Threshold.Proofs;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Πmod on the prover's Paillier key: proving (one thread, and on every core), verifying (one thread,
/// and on every core). The encoded size is on the prove line.
/// </summary>
internal sealed class PaillierBlumModulusBench : IProofBench
{
    public string Id => "mod";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var key = fixture.Prover(level).Key;
        var statement = PaillierBlumModulusProof.Statement.For(key.PublicKey, level);
        using var witness = PaillierBlumModulusProof.Witness.From(key);
        var cores = Environment.ProcessorCount;
        var proof = PaillierBlumModulusProof.Prove(context, statement, witness, fixture.Random);
        yield return Measurement.Median($"proof.mod.prove.{level.Name}", () => PaillierBlumModulusProof.Prove(context, statement, witness, fixture.Random), 10, 3000) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median($"proof.mod.verify.{level.Name}", () => PaillierBlumModulusProof.Verify(context, statement, proof), 10, 3000);
        yield return Measurement.Median($"proof.mod.prove-parallel.{level.Name}", () => PaillierBlumModulusProof.Prove(context, statement, witness, fixture.Random, cores), 10, 3000);
        yield return Measurement.Median($"proof.mod.verify-parallel.{level.Name}", () => PaillierBlumModulusProof.Verify(context, statement, proof, cores), 10, 3000);
    }
}
