using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Testing;
using Dec = Threshold.Proofs.DecryptionModuloQProof;
using Mul = Threshold.Proofs.PaillierMultiplicationProof;
using MulStar = Threshold.Proofs.MultiplicationWithGroupCommitmentProof;

namespace Threshold.Proofs.Tests;

/// <summary>
/// The identification steps of CGGMP21 presigning and signing with three parties, from P_0's side:
/// the ciphertexts are built the way the protocol builds them (F = enc(−β), D = K^γ · enc(−β)), P_0
/// proves with Πmul / Πmul* and Πdec, and each other party verifies under its own setup.
/// </summary>
public sealed class IdentificationScenarioTests
{
    private const int Parties = 3;

    private sealed record Presigning(
        PaillierSecretKey Key,
        BigInteger K,
        BigInteger KNonce,
        PaillierCiphertext BigK,
        PaillierCiphertext BigG,
        BigInteger Gamma,
        PaillierCiphertext Combined,
        PaillierCiphertext CombinedHat,
        BigInteger Delta,
        BigInteger Chi,
        BigInteger Share);

    /// <summary>P_0's view after round 3: its own k, γ, x, and the ciphertexts whose sums are δ_0 and χ_0.</summary>
    private static Presigning RunPresigning(SecurityLevel level, Curve curve, SeededRandom rng)
    {
        var q = curve.Order;
        var key = TestPrimes.PaillierKey(level, 0);
        var pk = key.PublicKey;
        var k = Sampling.Below(rng, q);
        var gamma = Sampling.Below(rng, q);
        var share = Sampling.Below(rng, q);
        var bigK = pk.Encrypt(k, rng, out var kNonce);
        var bigG = pk.Encrypt(gamma, rng, out _);

        // P_0's own products, then Σ_{j≠0} (D_{0,j} · F_{j,0}^-1) and the same with hats.
        var delta = k * gamma;
        var chi = k * share;
        PaillierCiphertext? sum = null;
        PaillierCiphertext? sumHat = null;
        for (var j = 1; j < Parties; j++)
        {
            var gammaJ = Sampling.Below(rng, q);
            var shareJ = Sampling.Below(rng, q);
            var betaJ = Sampling.Signed(rng, level.EllPrime); // β_{j,0}, chosen by P_j
            var betaHatJ = Sampling.Signed(rng, level.EllPrime);
            var dFromJ = pk.Add(pk.Multiply(bigK, gammaJ), pk.Encrypt(-betaJ, rng, out _)); // D_{0,j}, made by P_j
            var dHatFromJ = pk.Add(pk.Multiply(bigK, shareJ), pk.Encrypt(-betaHatJ, rng, out _));
            var beta = Sampling.Signed(rng, level.EllPrime); // β_{0,j}, chosen by P_0
            var betaHat = Sampling.Signed(rng, level.EllPrime);
            var f = key.Encrypt(-beta, rng, out _); // F_{j,0} = enc_0(−β_{0,j})
            var fHat = key.Encrypt(-betaHat, rng, out _);

            delta += key.DecryptSigned(dFromJ) + beta;
            chi += key.DecryptSigned(dHatFromJ) + betaHat;
            var term = pk.Add(dFromJ, pk.Multiply(f, -1));
            var termHat = pk.Add(dHatFromJ, pk.Multiply(fHat, -1));
            sum = sum is null ? term : pk.Add(sum, term);
            sumHat = sumHat is null ? termHat : pk.Add(sumHat, termHat);
        }

        return new Presigning(key, k, kNonce, bigK, bigG, gamma, sum!, sumHat!, delta, chi, share);
    }

    [Fact]
    public void FailedDeltaCheckIdentifiesOnlyACheater()
    {
        var level = SecurityLevel.Bits2048;
        var curve = Curve.Secp256k1;
        var rng = new SeededRandom("identify delta");
        var run = RunPresigning(level, curve, rng);
        var pk = run.Key.PublicKey;
        var context = new ProofContext("presign-42"u8.ToArray(), 0);

        // Πmul: H_0 = G_0^(k_0) · ρ^N encrypts k_0·γ_0.
        var rho = pk.SampleNonce(rng);
        var h = pk.Add(pk.Multiply(run.BigG, run.K), pk.Encrypt(0, rho));
        var mulStatement = new Mul.Statement(pk, run.BigK, run.BigG, h, curve);
        using (var mulWitness = new Mul.Witness(run.K, rho, run.KNonce))
        {
            var mulProof = Mul.Proof.Decode(mulStatement, Mul.Prove(context, mulStatement, mulWitness, rng, run.Key).Encode());
            Assert.Equal(Verdict.Valid, Mul.Verify(context, mulStatement, mulProof));
        }

        // Πdec: U_0 = H_0 · Π (D_{0,j} · F_{j,0}^-1) decrypts to δ_0 (as an integer), mod q it is the broadcast δ_0.
        var u = pk.Add(h, run.Combined);
        var plaintextBits = level.EllPrime + 2 + 2; // ℓ' + 2 + ⌈log2 3⌉
        Assert.True(plaintextBits <= Dec.MaxPlaintextBits(pk, level));
        var delta = Scalar.FromValue(curve, run.Delta);
        using var witness = Dec.Witness.Recover(run.Key, u);
        Assert.Equal(run.Delta, witness.Y.Value);
        for (var verifier = 1; verifier < Parties; verifier++)
        {
            var setup = TestSetups.RingPedersen(level, verifier);
            var statement = new Dec.Statement(pk, u, delta, setup.Parameters, level, plaintextBits);
            var proof = Dec.Proof.Decode(statement, Dec.Prove(context, statement, witness, rng, run.Key).Encode());
            Assert.Equal(Verdict.Valid, Dec.Verify(context, statement, proof, setup));

            // A P_0 that broadcast δ_0 + 1 cannot explain it.
            var lie = statement with { X = delta + Scalar.One(curve) };
            Assert.Equal(Dec.Checks.Equality2, Dec.Verify(context, lie, Dec.Prove(context, lie, witness, rng, run.Key), setup).FailedCheck);
        }

        // A P_0 whose H_0 does not encrypt k_0·γ_0 fails Πmul.
        var wrongH = pk.Add(h, pk.Encrypt(1, rng, out _));
        var wrongStatement = new Mul.Statement(pk, run.BigK, run.BigG, wrongH, curve);
        using var wrongWitness = Mul.Witness.Recover(run.Key, new Mul.Statement(pk, run.BigK, run.BigG, h, curve));
        Assert.Equal(Mul.Checks.Equality1, Mul.Verify(context, wrongStatement, Mul.Prove(context, wrongStatement, wrongWitness, rng, run.Key)).FailedCheck);
    }

    [Fact]
    public void FailedSignatureIdentifiesOnlyACheaterAt3072Bits()
    {
        var level = SecurityLevel.Bits3072;
        var curve = Curve.P256;
        var rng = new SeededRandom("identify sigma");
        var run = RunPresigning(level, curve, rng);
        var pk = run.Key.PublicKey;
        var context = new ProofContext("sign-7"u8.ToArray(), 0);
        var m = Sampling.Below(rng, curve.Order);
        var r = Sampling.Below(rng, curve.Order);
        var sigma = Scalar.FromValue(curve, (run.K * m) + (r * run.Chi));
        var publicShare = Point.MultiplyGenerator(Scalar.FromValue(curve, run.Share));

        // Πmul*: Ĥ_0 = K_0^(x_0) · ρ^N encrypts k_0·x_0, for the public share X_0.
        var rho = pk.SampleNonce(rng);
        var hHat = pk.Add(pk.Multiply(run.BigK, run.Share), pk.Encrypt(0, rho));
        // Πdec: K_0^m · (Ĥ_0 · Π (D̂_{0,j} · F̂_{j,0}^-1))^r decrypts to k_0·m + r·χ_0.
        var c = pk.Add(pk.Multiply(run.BigK, m), pk.Multiply(pk.Add(hHat, run.CombinedHat), r));
        var plaintextBits = level.Ell + level.EllPrime + 2 + 2 + 1;
        using var decWitness = Dec.Witness.Recover(run.Key, c);
        Assert.Equal((run.K * m) + (r * run.Chi), decWitness.Y.Value);

        for (var verifier = 1; verifier < Parties; verifier++)
        {
            var setup = TestSetups.RingPedersen(level, verifier);
            var mulStatement = new MulStar.Statement(pk, run.BigK, hHat, publicShare, setup.Parameters, level);
            using (var mulWitness = new MulStar.Witness(run.Share, rho))
            {
                var proof = MulStar.Proof.Decode(mulStatement, MulStar.Prove(context, mulStatement, mulWitness, rng, run.Key).Encode());
                Assert.Equal(Verdict.Valid, MulStar.Verify(context, mulStatement, proof, setup));
            }

            var statement = new Dec.Statement(pk, c, sigma, setup.Parameters, level, plaintextBits);
            var decProof = Dec.Proof.Decode(statement, Dec.Prove(context, statement, decWitness, rng, run.Key).Encode());
            Assert.Equal(Verdict.Valid, Dec.Verify(context, statement, decProof, setup));

            var lie = statement with { X = sigma + Scalar.One(curve) };
            Assert.False(Dec.Verify(context, lie, Dec.Prove(context, lie, decWitness, rng, run.Key), setup).IsValid);
        }
    }

    [Fact]
    public void SignaturePlaintextExceedsTheSoundBoundAt2048Bits()
    {
        // Documents the limit in DecryptionModuloQProof's header: k·m + r·χ needs about ℓ + ℓ' + log2 n
        // bits for honest parties, more than |N0| − ε − 4 = 1532 at the 2048-bit level.
        var level = SecurityLevel.Bits2048;
        var honestSigmaBits = level.Ell + level.EllPrime + 2 + 2 + 1;
        Assert.True(honestSigmaBits > Dec.MaxPlaintextBits(TestPrimes.PaillierKey(level, 0).PublicKey, level));
        Assert.True(honestSigmaBits <= Dec.MaxPlaintextBits(TestPrimes.PaillierKey(SecurityLevel.Bits3072, 0).PublicKey, SecurityLevel.Bits3072));
    }
}
