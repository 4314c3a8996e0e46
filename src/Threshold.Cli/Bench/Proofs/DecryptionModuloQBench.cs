using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Πdec as the δ identification uses it: a ciphertext under the prover's own key (CRT prover) whose
/// plaintext has ℓ_y = ℓ' + 10 bits (an honest δ_i of up to 256 parties), the verifier's own
/// ring-Pedersen setup (CRT verifier).
/// </summary>
internal sealed class DecryptionModuloQBench : IProofBench
{
    public string Id => "dec";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var rng = fixture.Random;
        var curve = Curve.Secp256k1;
        var key = fixture.Prover(level).Key;
        var verifier = fixture.Verifier(level).Setup;
        var plaintextBits = level.EllPrime + 10;
        var y = Sampling.Signed(rng, plaintextBits);
        var c = key.Encrypt(y, rng, out var rho);
        var statement = new DecryptionModuloQProof.Statement(key.PublicKey, c, Scalar.FromValue(curve, y), verifier.Parameters, level, plaintextBits);
        using var witness = new DecryptionModuloQProof.Witness(y, rho);
        var proof = DecryptionModuloQProof.Prove(context, statement, witness, rng, key);
        yield return Measurement.Median($"proof.dec.prove.{level.Name}", () => DecryptionModuloQProof.Prove(context, statement, witness, rng, key), 30, 3000) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median($"proof.dec.verify.{level.Name}", () => DecryptionModuloQProof.Verify(context, statement, proof, verifier), 30, 3000);
    }
}
