using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Secrets;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>Πsch on secp256k1 (it does not depend on the Paillier level; reported under each for uniform names).</summary>
internal sealed class SchnorrBench : IProofBench
{
    public string Id => "sch";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        using var x = SecretScalar.Random(Curve.Secp256k1, fixture.Random);
        var statement = new SchnorrProof.Statement(Point.MultiplyGenerator(x));
        var witness = new SchnorrProof.Witness(x);
        var proof = SchnorrProof.Prove(context, statement, witness, fixture.Random);
        yield return Measurement.Median($"proof.sch.prove.{level.Name}", () => SchnorrProof.Prove(context, statement, witness, fixture.Random), 200, 500) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median($"proof.sch.verify.{level.Name}", () => SchnorrProof.Verify(context, statement, proof), 200, 500);
    }
}
