using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Πmul* as the σ identification uses it: C = K_i, D = Ĥ_i under the prover's own key (CRT prover),
/// X = X_i, the verifier's own ring-Pedersen setup (CRT verifier).
/// </summary>
internal sealed class MultiplicationWithGroupCommitmentBench : IProofBench
{
    public string Id => "mulstar";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var rng = fixture.Random;
        var curve = Curve.Secp256k1;
        var key = fixture.Prover(level).Key;
        var verifier = fixture.Verifier(level).Setup;
        var pk = key.PublicKey;
        var x = Sampling.Below(rng, curve.Order);
        var c = key.Encrypt(Sampling.Below(rng, curve.Order), rng, out _);
        var rho = pk.SampleNonce(rng);
        var d = pk.Add(pk.Multiply(c, x), key.Encrypt(0, rho));
        var statement = new MultiplicationWithGroupCommitmentProof.Statement(pk, c, d, Point.MultiplyGenerator(Scalar.FromValue(curve, x)), verifier.Parameters, level);
        using var witness = new MultiplicationWithGroupCommitmentProof.Witness(x, rho);
        var proof = MultiplicationWithGroupCommitmentProof.Prove(context, statement, witness, rng, key);
        yield return Measurement.Median($"proof.mulstar.prove.{level.Name}", () => MultiplicationWithGroupCommitmentProof.Prove(context, statement, witness, rng, key), 30, 3000) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median($"proof.mulstar.verify.{level.Name}", () => MultiplicationWithGroupCommitmentProof.Verify(context, statement, proof, verifier), 30, 3000);
    }
}
