using System.Numerics;
using BenchmarkDotNet.Attributes;
using Threshold.Arithmetic;
using Threshold.Randomness;

namespace Threshold.Benchmarks;

/// <summary>Modular exponentiation on both backends at the sizes CGGMP21 uses (exponent half the modulus).</summary>
[MemoryDiagnoser]
public class ModExpBenchmarks
{
    private BigInteger value;
    private BigInteger exponent;
    private BigInteger modulus;
    private IArithmetic arithmetic = Backends.Managed;

    [Params("gmp", "managed")]
    public string Backend { get; set; } = "gmp";

    [Params(2048, 3072, 4096, 6144)]
    public int ModulusBits { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SeededRandom($"modexp {ModulusBits}");
        arithmetic = Backends.ByName(Backend);
        modulus = Sampling.Bits(rng, ModulusBits) | (BigInteger.One << (ModulusBits - 1)) | 1;
        value = Sampling.Below(rng, modulus);
        exponent = Sampling.Bits(rng, ModulusBits / 2) | (BigInteger.One << ((ModulusBits / 2) - 1));
    }

    [Benchmark]
    public BigInteger ModPow() => arithmetic.ModPow(value, exponent, modulus);

    [Benchmark]
    public BigInteger ModPowSecret() => arithmetic.ModPowSecret(value, exponent, modulus);
}
