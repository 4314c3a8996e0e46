using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// Πenc as presigning round 1 runs it: the prover encrypts k_i under its own key and proves with the
/// CRT; the verifier checks with the CRT on its own ring-Pedersen modulus.
/// </summary>
internal sealed class PaillierEncryptionInRangeBench : IProofBench
{
    public string Id => "enc";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var (proverKey, _) = fixture.Prover(level);
        var (_, verifierSetup) = fixture.Verifier(level);
        var k = Sampling.Below(fixture.Random, Curve.Secp256k1.Order);
        var ciphertext = proverKey.Encrypt(k, fixture.Random, out var rho);
        var statement = new PaillierEncryptionInRangeProof.Statement(level, Curve.Secp256k1, verifierSetup.Parameters, proverKey.PublicKey, ciphertext);
        using var witness = new PaillierEncryptionInRangeProof.Witness(k, rho);
        var proof = PaillierEncryptionInRangeProof.Prove(context, statement, witness, fixture.Random, proverKey);
        if (!PaillierEncryptionInRangeProof.Verify(context, statement, proof, verifierSetup).IsValid)
        {
            throw new InvalidOperationException("the benchmark's Πenc proof does not verify");
        }

        yield return Measurement.Median(
            $"proof.enc.prove.{level.Name}",
            () => PaillierEncryptionInRangeProof.Prove(context, statement, witness, fixture.Random, proverKey),
            50,
            3000) with { Bytes = proof.Encode().Length };
        yield return Measurement.Median(
            $"proof.enc.verify.{level.Name}",
            () => PaillierEncryptionInRangeProof.Verify(context, statement, PaillierEncryptionInRangeProof.Proof.Decode(statement, proof.Encode()), verifierSetup),
            50,
            3000);
    }
}
