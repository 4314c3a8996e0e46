using System.Numerics;
using BenchmarkDotNet.Attributes;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Benchmarks;

/// <summary>Paillier with the pregenerated test primes: public vs owner-side (CRT) encryption, decryption.</summary>
[MemoryDiagnoser]
public class PaillierBenchmarks
{
    private PaillierSecretKey key = null!;
    private RingPedersenSecret ringPedersen = null!;
    private BigInteger message;
    private BigInteger nonce;
    private BigInteger x;
    private BigInteger y;
    private PaillierCiphertext ciphertext = null!;

    [Params("2048", "3072")]
    public string Level { get; set; } = "2048";

    [GlobalSetup]
    public void Setup()
    {
        var level = SecurityLevel.FromName(Level);
        var rng = new SeededRandom($"paillier {Level}");
        key = TestPrimes.PaillierKey(level, 0);
        ringPedersen = RingPedersenSecret.Generate(key, rng);
        message = Sampling.Below(rng, key.N);
        nonce = key.PublicKey.SampleNonce(rng);
        ciphertext = key.PublicKey.Encrypt(message, nonce);
        x = Sampling.Signed(rng, level.EllPrime + level.Epsilon);
        y = Sampling.Signed(rng, level.EllPrime + level.Epsilon + level.ModulusBits);
    }

    [Benchmark]
    public PaillierCiphertext EncryptPublic() => key.PublicKey.Encrypt(message, nonce);

    [Benchmark]
    public PaillierCiphertext EncryptOwnerCrt() => key.Encrypt(message, nonce);

    [Benchmark]
    public BigInteger Decrypt() => key.Decrypt(ciphertext);

    [Benchmark]
    public BigInteger RingPedersenCommit() => ringPedersen.Parameters.Commit(x, y);

    [Benchmark]
    public BigInteger RingPedersenCommitCrt() => ringPedersen.Commit(x, y);
}
