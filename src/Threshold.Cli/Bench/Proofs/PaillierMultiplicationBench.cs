using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Πmul as the δ identification uses it: X = K_i, Y = G_i, C = H_i under the prover's own key (CRT
/// prover); no verifier setup.
/// </summary>
internal sealed class PaillierMultiplicationBench : IProofBench
{
    public string Id => "mul";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var rng = fixture.Random;
        var curve = Curve.Secp256k1;
        var key = fixture.Prover(level).Key;
        var pk = key.PublicKey;
        var x = Sampling.Below(rng, curve.Order);
        var bigX = key.Encrypt(x, rng, out var rhoX);
        var y = key.Encrypt(Sampling.Below(rng, curve.Order), rng, out _);
        var rho = pk.SampleNonce(rng);
        var c = pk.Add(pk.Multiply(y, x), key.Encrypt(0, rho));
        var statement = new PaillierMultiplicationProof.Statement(pk, bigX, y, c, curve);
        using var witness = new PaillierMultiplicationProof.Witness(x, rho, rhoX);
        var proof = PaillierMultiplicationProof.Prove(context, statement, witness, rng, key);
        yield return Measurement.Median($"proof.mul.prove.{level.Name}", () => PaillierMultiplicationProof.Prove(context, statement, witness, rng, key), 30, 3000) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median($"proof.mul.verify.{level.Name}", () => PaillierMultiplicationProof.Verify(context, statement, proof), 30, 3000);
    }
}
