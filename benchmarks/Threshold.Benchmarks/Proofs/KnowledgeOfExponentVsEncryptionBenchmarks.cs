using BenchmarkDotNet.Attributes;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Secrets;
using Threshold.Testing;

namespace Threshold.Benchmarks.Proofs;

/// <summary>
/// Πlog* with the pregenerated test keys (prover key 0, verifier setup 1) and a random base Γ, as in
/// presigning round 3. Each side with and without the CRT shortcut of the modulus it owns.
/// </summary>
[MemoryDiagnoser]
public class KnowledgeOfExponentVsEncryptionBenchmarks
{
    private readonly ProofContext context = new("bench"u8.ToArray(), 1);
    private readonly SeededRandom rng = new("bench logstar");
    private PaillierSecretKey proverKey = null!;
    private RingPedersenSecret verifierSetup = null!;
    private KnowledgeOfExponentVsEncryptionProof.Statement statement = null!;
    private KnowledgeOfExponentVsEncryptionProof.Witness witness = null!;
    private KnowledgeOfExponentVsEncryptionProof.Proof proof = null!;
    private byte[] encoded = [];

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        var curve = Curve.Secp256k1;
        proverKey = TestPrimes.PaillierKey(level, 0);
        verifierSetup = TestSetups.RingPedersen(level, 1);
        Point gamma;
        using (var gammaLog = SecretScalar.Random(curve, rng))
        {
            gamma = Point.MultiplyGenerator(gammaLog);
        }

        var x = Sampling.Below(rng, curve.Order);
        var ciphertext = proverKey.Encrypt(x, rng, out var rho);
        statement = new(level, verifierSetup.Parameters, proverKey.PublicKey, ciphertext, Scalar.FromValue(curve, x) * gamma, gamma);
        witness = new(x, rho);
        proof = KnowledgeOfExponentVsEncryptionProof.Prove(context, statement, witness, rng, proverKey);
        encoded = proof.Encode();
    }

    [GlobalCleanup]
    public void Cleanup() => witness.Dispose();

    [Benchmark]
    public KnowledgeOfExponentVsEncryptionProof.Proof ProveCrt() => KnowledgeOfExponentVsEncryptionProof.Prove(context, statement, witness, rng, proverKey);

    [Benchmark]
    public KnowledgeOfExponentVsEncryptionProof.Proof ProvePublic() => KnowledgeOfExponentVsEncryptionProof.Prove(context, statement, witness, rng);

    [Benchmark]
    public Verdict VerifyCrt() => KnowledgeOfExponentVsEncryptionProof.Verify(context, statement, proof, verifierSetup);

    [Benchmark]
    public Verdict VerifyPublic() => KnowledgeOfExponentVsEncryptionProof.Verify(context, statement, proof);

    [Benchmark]
    public KnowledgeOfExponentVsEncryptionProof.Proof Decode() => KnowledgeOfExponentVsEncryptionProof.Proof.Decode(statement, encoded);
}
