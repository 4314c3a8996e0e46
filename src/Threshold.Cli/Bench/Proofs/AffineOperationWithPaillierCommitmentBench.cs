using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Secrets;
using Affp = Threshold.Proofs.AffineOperationWithPaillierCommitmentProof;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Πaff-p as the presigning identification step runs it for D_{j,i}: the prover owns N1 (the key of
/// G_i and F_{j,i}); the verifier P_j owns N0 and N̂ and uses its CRT shortcuts. Challenge over secp256k1.
/// </summary>
internal sealed class AffineOperationWithPaillierCommitmentBench : IProofBench
{
    public string Id => "affp";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var rng = fixture.Random;
        var (proverKey, _) = fixture.Prover(level);
        var (verifierKey, verifierSetup) = fixture.Verifier(level);
        var n0 = verifierKey.PublicKey;
        var n1 = proverKey.PublicKey;

        var k = n0.Encrypt(Scalar.Random(Curve.Secp256k1, rng).Value, rng, out _);
        using var x = new SecretBigInteger(Scalar.Random(Curve.Secp256k1, rng).Value);
        using var y = new SecretBigInteger(-Sampling.Signed(rng, level.EllPrime));
        using var rho = new SecretBigInteger(n0.SampleNonce(rng));
        using var rhoX = new SecretBigInteger(n1.SampleNonce(rng));
        using var rhoY = new SecretBigInteger(n1.SampleNonce(rng));
        var d = n0.Add(n0.Multiply(k, x.Value), n0.Encrypt(y.Value, rho.Value));
        var g = proverKey.Encrypt(x.Value, rhoX.Value);
        var f = proverKey.Encrypt(y.Value, rhoY.Value);
        var statement = new Affp.Statement(level, Curve.Secp256k1, verifierSetup.Parameters, n0, n1, k, d, g, f);
        var witness = new Affp.Witness(x, y, rho, rhoX, rhoY);

        var proof = Affp.Prove(context, statement, witness, rng, proverKey);
        if (!Affp.Verify(context, statement, proof, verifierSetup, verifierKey).IsValid)
        {
            throw new InvalidOperationException("Πaff-p benchmark proof does not verify");
        }

        yield return Measurement.Median($"proof.affp.prove.{level.Name}", () => Affp.Prove(context, statement, witness, rng, proverKey), 30, 3000) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median($"proof.affp.verify.{level.Name}", () => Affp.Verify(context, statement, proof, verifierSetup, verifierKey), 30, 3000);
    }
}
