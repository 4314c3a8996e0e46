using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Secrets;
using Affg = Threshold.Proofs.AffineOperationWithGroupCommitmentProof;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Πaff-g as presigning runs it (the MtA proof for D_{j,i}): the prover owns N1, the verifier owns N0
/// and N̂, and both use their CRT shortcuts. Curve secp256k1.
/// </summary>
internal sealed class AffineOperationWithGroupCommitmentBench : IProofBench
{
    public string Id => "affg";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var rng = fixture.Random;
        var (proverKey, _) = fixture.Prover(level);
        var (verifierKey, verifierSetup) = fixture.Verifier(level);
        var n0 = verifierKey.PublicKey;
        var n1 = proverKey.PublicKey;

        // K_j from the verifier; γ_i and −β_{i,j} from the prover.
        var k = n0.Encrypt(Scalar.Random(Curve.Secp256k1, rng).Value, rng, out _);
        using var x = new SecretBigInteger(Scalar.Random(Curve.Secp256k1, rng).Value);
        using var y = new SecretBigInteger(-Sampling.Signed(rng, level.EllPrime));
        using var rho = new SecretBigInteger(n0.SampleNonce(rng));
        using var rhoY = new SecretBigInteger(n1.SampleNonce(rng));
        var d = n0.Add(n0.Multiply(k, x.Value), n0.Encrypt(y.Value, rho.Value));
        var f = proverKey.Encrypt(y.Value, rhoY.Value);
        var statement = new Affg.Statement(level, verifierSetup.Parameters, n0, n1, k, d, f, Point.MultiplyGenerator(Scalar.FromValue(Curve.Secp256k1, x.Value)));
        var witness = new Affg.Witness(x, y, rho, rhoY);

        var proof = Affg.Prove(context, statement, witness, rng, proverKey);
        if (!Affg.Verify(context, statement, proof, verifierSetup, verifierKey).IsValid)
        {
            throw new InvalidOperationException("Πaff-g benchmark proof does not verify");
        }

        yield return Measurement.Median($"proof.affg.prove.{level.Name}", () => Affg.Prove(context, statement, witness, rng, proverKey), 30, 3000) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median($"proof.affg.verify.{level.Name}", () => Affg.Verify(context, statement, proof, verifierSetup, verifierKey), 30, 3000);
    }
}
