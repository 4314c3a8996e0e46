using System.Diagnostics;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Secrets;
using Affg = Threshold.Proofs.AffineOperationWithGroupCommitmentProof;
using Enc = Threshold.Proofs.PaillierEncryptionInRangeProof;
using LogStar = Threshold.Proofs.KnowledgeOfExponentVsEncryptionProof;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// The presigning budget per counterparty (issue: Πenc + 2×Πaff-g + 2×Πlog*, proving and verifying):
/// what party i proves for j and verifies from j, with the keys each owns, as CGGMP21 Fig. 7 runs them.
/// Rows: <c>rounds</c> — wall time round by round as presigning schedules them on the cores the process
/// may use (round 1: Πenc; round 2: both Πaff-g and Πlog* for Γ_i in parallel; round 3: Πlog* for
/// Δ_i; each proof also splits its own independent parts; run under <c>taskset -c 0</c> it is the
/// one-core cost); <c>tables</c> — building the fixed-base tables of j's s and t, paid once per
/// counterparty setup (the rounds run with them built).
/// </summary>
internal sealed class PresigningBudgetBench : IProofBench
{
    public string Id => "budget";

    public IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture)
    {
        var curve = Curve.Secp256k1;
        var rng = fixture.Random;
        var context = new ProofContext("bench"u8.ToArray(), 1);
        var (proverKey, _) = fixture.Prover(level);
        var (verifierKey, verifierSetup) = fixture.Verifier(level);
        var setup = verifierSetup.Parameters;
        var own = proverKey.PublicKey;
        var theirs = verifierKey.PublicKey;

        // Round 1: K_i = enc_i(k_i), G_i = enc_i(γ_i); Πenc for K_i.
        using var k = new SecretBigInteger(Sampling.Below(rng, curve.Order));
        using var gamma = new SecretBigInteger(Sampling.Below(rng, curve.Order));
        var bigK = proverKey.Encrypt(k.Value, rng, out var rho);
        var bigG = proverKey.Encrypt(gamma.Value, rng, out var nu);
        var enc = new Enc.Statement(level, curve, setup, own, bigK);
        using var encWitness = new Enc.Witness(k.Value, rho);

        // Round 2: two affine operations on K_j (x = γ_i and x = x_i) and Πlog* for Γ_i = γ_i·G.
        var kj = theirs.Encrypt(Sampling.Below(rng, curve.Order), rng, out _);
        var affine = new[] { Affine(level, setup, proverKey, theirs, kj, gamma.Value, rng), Affine(level, setup, proverKey, theirs, kj, Sampling.Below(rng, curve.Order), rng) };
        var gammaPoint = Point.MultiplyGenerator(Scalar.FromValue(curve, gamma.Value));
        var logGamma = new LogStar.Statement(level, setup, own, bigG, gammaPoint, curve.Generator);
        using var logGammaWitness = new LogStar.Witness(gamma.Value, nu);

        // Round 3: Πlog* for Δ_i = k_i·Γ against K_i.
        var bigGamma = Point.MultiplyGenerator(Scalar.Random(curve, rng));
        var logDelta = new LogStar.Statement(level, setup, own, bigK, Scalar.FromValue(curve, k.Value) * bigGamma, bigGamma);
        using var logDeltaWitness = new LogStar.Witness(k.Value, rho);

        Func<byte[]>[] round1Prove = [() => Enc.Prove(context, enc, encWitness, rng, proverKey).Encode()];
        Func<byte[]>[] round2Prove =
        [
            () => Affg.Prove(context, affine[0].Statement, affine[0].Witness, rng, proverKey).Encode(),
            () => Affg.Prove(context, affine[1].Statement, affine[1].Witness, rng, proverKey).Encode(),
            () => LogStar.Prove(context, logGamma, logGammaWitness, rng, proverKey).Encode(),
        ];
        Func<byte[]>[] round3Prove = [() => LogStar.Prove(context, logDelta, logDeltaWitness, rng, proverKey).Encode()];
        Func<byte[], Verdict>[] round1Verify = [p => Enc.Verify(context, enc, Enc.Proof.Decode(enc, p), verifierSetup)];
        Func<byte[], Verdict>[] round2Verify =
        [
            p => Affg.Verify(context, affine[0].Statement, Affg.Proof.Decode(affine[0].Statement, p), verifierSetup, verifierKey),
            p => Affg.Verify(context, affine[1].Statement, Affg.Proof.Decode(affine[1].Statement, p), verifierSetup, verifierKey),
            p => LogStar.Verify(context, logGamma, LogStar.Proof.Decode(logGamma, p), verifierSetup),
        ];
        Func<byte[], Verdict>[] round3Verify = [p => LogStar.Verify(context, logDelta, LogStar.Proof.Decode(logDelta, p), verifierSetup)];
        var rounds = new[] { (round1Prove, round1Verify), (round2Prove, round2Verify), (round3Prove, round3Verify) };

        var tables = Stopwatch.StartNew();
        var cache = new FixedBaseCache(1L << 30);
        foreach (var (value, bits) in new[] { (setup.S, 2048), (setup.T, (int)setup.N.GetBitLength() + 1024) })
        {
            cache.Find(setup.Arithmetic, value, setup.N, bits);
            cache.Find(setup.Arithmetic, value, setup.N, bits);
        }

        var tablesMs = tables.Elapsed.TotalMilliseconds;

        yield return Measurement.Median($"proof.budget.rounds.{level.Name}", () => ByRounds(rounds), 15, 4000) with { Bytes = ProofBytes(rounds) };
        yield return new BenchResult($"proof.budget.tables.{level.Name}", tablesMs, 1, cache.Bytes);
    }

    private static (Affg.Statement Statement, Affg.Witness Witness) Affine(
        SecurityLevel level, RingPedersenParameters setup, PaillierSecretKey proverKey, PaillierPublicKey theirs, PaillierCiphertext kj, System.Numerics.BigInteger x, System.Security.Cryptography.RandomNumberGenerator rng)
    {
        var beta = Sampling.Signed(rng, level.EllPrime);
        var s = theirs.SampleNonce(rng);
        var r = proverKey.PublicKey.SampleNonce(rng);
        var d = theirs.Add(theirs.Multiply(kj, x), theirs.Encrypt(-beta, s));
        var f = proverKey.Encrypt(-beta, r);
        var statement = new Affg.Statement(level, setup, theirs, proverKey.PublicKey, kj, d, f, Point.MultiplyGenerator(Scalar.FromValue(Curve.Secp256k1, x)));
        return (statement, new Affg.Witness(new SecretBigInteger(x), new SecretBigInteger(-beta), new SecretBigInteger(s), new SecretBigInteger(r)));
    }

    private static void ByRounds((Func<byte[]>[] Prove, Func<byte[], Verdict>[] Verify)[] rounds)
    {
        foreach (var (prove, verify) in rounds)
        {
            var proofs = new byte[prove.Length][];
            Parallel.For(0, prove.Length, n => proofs[n] = prove[n]());
            Parallel.For(0, verify.Length, n => Require(verify[n](proofs[n])));
        }
    }

    private static long ProofBytes((Func<byte[]>[] Prove, Func<byte[], Verdict>[] Verify)[] rounds) =>
        rounds.SelectMany(r => r.Prove).Sum(p => (long)p().Length);

    private static void Require(Verdict verdict)
    {
        if (!verdict.IsValid)
        {
            throw new InvalidOperationException($"a presigning-budget proof does not verify ({verdict.FailedCheck})");
        }
    }
}
