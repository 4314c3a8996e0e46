using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Secrets;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Πlog* as presigning round 3 runs it: base Γ (a random point), X = Δ_i = k_i·Γ, C = K_i under the
/// prover's key (CRT); the verifier checks with the CRT on its own ring-Pedersen modulus.
/// </summary>
internal sealed class KnowledgeOfExponentVsEncryptionBench : IProofBench
{
    public string Id => "logstar";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var curve = Curve.Secp256k1;
        var (proverKey, _) = fixture.Prover(level);
        var (_, verifierSetup) = fixture.Verifier(level);
        Point gamma;
        using (var gammaLog = SecretScalar.Random(curve, fixture.Random))
        {
            gamma = Point.MultiplyGenerator(gammaLog);
        }

        var x = Sampling.Below(fixture.Random, curve.Order);
        var ciphertext = proverKey.Encrypt(x, fixture.Random, out var rho);
        var statement = new KnowledgeOfExponentVsEncryptionProof.Statement(
            level, verifierSetup.Parameters, proverKey.PublicKey, ciphertext, Scalar.FromValue(curve, x) * gamma, gamma);
        using var witness = new KnowledgeOfExponentVsEncryptionProof.Witness(x, rho);
        var proof = KnowledgeOfExponentVsEncryptionProof.Prove(context, statement, witness, fixture.Random, proverKey);
        if (!KnowledgeOfExponentVsEncryptionProof.Verify(context, statement, proof, verifierSetup).IsValid)
        {
            throw new InvalidOperationException("the benchmark's Πlog* proof does not verify");
        }

        yield return Measurement.Median(
            $"proof.logstar.prove.{level.Name}",
            () => KnowledgeOfExponentVsEncryptionProof.Prove(context, statement, witness, fixture.Random, proverKey),
            50,
            3000) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median(
            $"proof.logstar.verify.{level.Name}",
            () => KnowledgeOfExponentVsEncryptionProof.Verify(context, statement, KnowledgeOfExponentVsEncryptionProof.Proof.Decode(statement, proof.Encode()), verifierSetup),
            50,
            3000);
    }
}
