using BenchmarkDotNet.Attributes;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Benchmarks.Proofs;

/// <summary>
/// Πenc with the pregenerated test keys: prover key 0, verifier setup 1. Each side with and without
/// the CRT shortcut of the modulus it owns.
/// </summary>
[MemoryDiagnoser]
public class PaillierEncryptionInRangeBenchmarks
{
    private readonly ProofContext context = new("bench"u8.ToArray(), 1);
    private readonly SeededRandom rng = new("bench enc");
    private PaillierSecretKey proverKey = null!;
    private RingPedersenSecret verifierSetup = null!;
    private PaillierEncryptionInRangeProof.Statement statement = null!;
    private PaillierEncryptionInRangeProof.Witness witness = null!;
    private PaillierEncryptionInRangeProof.Proof proof = null!;
    private byte[] encoded = [];

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        proverKey = TestPrimes.PaillierKey(level, 0);
        verifierSetup = TestSetups.RingPedersen(level, 1);
        var k = Sampling.Below(rng, Curve.Secp256k1.Order);
        var ciphertext = proverKey.Encrypt(k, rng, out var rho);
        statement = new(level, Curve.Secp256k1, verifierSetup.Parameters, proverKey.PublicKey, ciphertext);
        witness = new(k, rho);
        proof = PaillierEncryptionInRangeProof.Prove(context, statement, witness, rng, proverKey);
        encoded = proof.Encode();
    }

    [GlobalCleanup]
    public void Cleanup() => witness.Dispose();

    [Benchmark]
    public PaillierEncryptionInRangeProof.Proof ProveCrt() => PaillierEncryptionInRangeProof.Prove(context, statement, witness, rng, proverKey);

    [Benchmark]
    public PaillierEncryptionInRangeProof.Proof ProvePublic() => PaillierEncryptionInRangeProof.Prove(context, statement, witness, rng);

    [Benchmark]
    public Verdict VerifyCrt() => PaillierEncryptionInRangeProof.Verify(context, statement, proof, verifierSetup);

    [Benchmark]
    public Verdict VerifyPublic() => PaillierEncryptionInRangeProof.Verify(context, statement, proof);

    [Benchmark]
    public PaillierEncryptionInRangeProof.Proof Decode() => PaillierEncryptionInRangeProof.Proof.Decode(statement, encoded);
}
