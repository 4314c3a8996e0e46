namespace Threshold.Paillier;

/// <summary>
/// A named parameter set for CGGMP21 (Canetti, Gennaro, Goldfeder, Makriyannis, Peled, eprint 2021/060).
/// The range parameters follow the paper's concrete-security choice (§C.1 and the caption of Table 2):
/// ℓ = κ, ℓ' = 5κ, ε = 2κ with κ = 256, the bit length of the curve order. The Paillier modulus must
/// exceed every range a proof moves through (ℓ' + ε = 1792 bits plus slack), which both levels do.
/// </summary>
/// <param name="Name">Stable name used on the wire and in benchmark output: "2048" or "3072".</param>
/// <param name="ModulusBits">Bit length of every Paillier and ring-Pedersen modulus N = p·q.</param>
/// <param name="Ell">ℓ: bit bound of plaintexts that are curve scalars (|x| ≤ 2^ℓ).</param>
/// <param name="EllPrime">ℓ': bit bound of the masked products in Πaff-g (|y| ≤ 2^ℓ').</param>
/// <param name="Epsilon">ε: slack that makes the masks statistically hide the witness.</param>
/// <param name="Repetitions">
/// m: parallel repetitions of the binary-challenge proofs Πmod and Πprm; soundness error 2^-m.
/// </param>
public sealed record SecurityLevel(string Name, int ModulusBits, int Ell, int EllPrime, int Epsilon, int Repetitions)
{
    /// <summary>
    /// N of 2048 bits (1024-bit safe primes): what Fireblocks, Taurus and tss-lib ship; about 112-bit
    /// computational security (NIST SP 800-57), and Πmod/Πprm soundness 2^-112 to match: with fewer
    /// repetitions a prover could grind Fiat–Shamir challenges more cheaply than it could factor N.
    /// </summary>
    public static SecurityLevel Bits2048 { get; } = new("2048", 2048, 256, 1280, 512, 112);

    /// <summary>N of 3072 bits (1536-bit safe primes): 128-bit computational security, soundness 2^-128.</summary>
    public static SecurityLevel Bits3072 { get; } = new("3072", 3072, 256, 1280, 512, 128);

    /// <summary>Both levels.</summary>
    public static IReadOnlyList<SecurityLevel> All { get; } = [Bits2048, Bits3072];

    /// <summary>Bit length of each safe prime factor.</summary>
    public int PrimeBits => ModulusBits / 2;

    /// <summary>The level called <paramref name="name"/> ("2048" or "3072").</summary>
    public static SecurityLevel FromName(string name) => name?.Trim() switch
    {
        "2048" => Bits2048,
        "3072" => Bits3072,
        _ => throw new ArgumentException($"unknown security level '{name}' (expected 2048 or 3072)", nameof(name)),
    };
}
