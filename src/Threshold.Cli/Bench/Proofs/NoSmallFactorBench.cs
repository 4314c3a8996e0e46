using Threshold.Paillier;
using Threshold.Proofs;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Πfac: the prover's Paillier modulus under the verifier's ring-Pedersen parameters. Verification with
/// the public parameters and, as in aux-info, with the verifier's own secret (CRT).
/// </summary>
internal sealed class NoSmallFactorBench : IProofBench
{
    public string Id => "fac";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var key = fixture.Prover(level).Key;
        var verifier = fixture.Verifier(level).Setup;
        var statement = new NoSmallFactorProof.Statement(key.PublicKey, verifier.Parameters, level);
        using var witness = NoSmallFactorProof.Witness.From(key);
        var proof = NoSmallFactorProof.Prove(context, statement, witness, fixture.Random);
        yield return Measurement.Median($"proof.fac.prove.{level.Name}", () => NoSmallFactorProof.Prove(context, statement, witness, fixture.Random), 20, 2000) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median($"proof.fac.verify.{level.Name}", () => NoSmallFactorProof.Verify(context, statement, proof, verifier), 20, 2000);
        yield return Measurement.Median($"proof.fac.verify-public.{level.Name}", () => NoSmallFactorProof.Verify(context, statement, proof), 20, 2000);
    }
}
