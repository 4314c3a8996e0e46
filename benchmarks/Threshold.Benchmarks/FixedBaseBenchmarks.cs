using System.Numerics;
using BenchmarkDotNet.Attributes;
using Threshold.Arithmetic;
using Threshold.Randomness;

namespace Threshold.Benchmarks;

/// <summary>
/// A prover's ring-Pedersen power t^γ with γ ∈ ±2^(ℓ+ε)·N̂ (the widest exponent of Πaff-g): GMP's
/// constant-time mpz_powm_sec against the constant-time fixed-base table, at both levels' N̂.
/// </summary>
[MemoryDiagnoser]
public class FixedBaseBenchmarks
{
    private BigInteger value;
    private BigInteger exponent;
    private BigInteger modulus;
    private int bits;
    private IFixedBasePower table = null!;

    [Params(2048, 3072)]
    public int ModulusBits { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SeededRandom($"fixed base {ModulusBits}");
        modulus = Sampling.Bits(rng, ModulusBits) | (BigInteger.One << (ModulusBits - 1)) | 1;
        value = Sampling.Unit(rng, modulus, Backends.Gmp);
        bits = 768 + ModulusBits;
        exponent = Sampling.Signed(rng, bits);
        table = new GmpFixedBasePower(value, modulus, ModulusBits + 1024);
    }

    [Benchmark(Baseline = true)]
    public BigInteger ModPowSecret() => Backends.Gmp.ModPowSecret(value, BigInteger.Abs(exponent), modulus);

    [Benchmark]
    public BigInteger FixedBaseTable() => table.Power(exponent, bits);

    [Benchmark]
    public IFixedBasePower BuildTable() => new GmpFixedBasePower(value, modulus, ModulusBits + 1024);
}
