// Πprm: the ring-Pedersen parameters proof of CGGMP21 (eprint 2021/060, Fig. 17), made non-interactive
// by Fiat–Shamir as in the LFDT-Lockness spec (spec/main.tex, "Πprm").
//
// Relation: (N̂, s, t) with s = t^λ mod N̂, the prover knowing λ; that is, s lies in the group generated
// by t, so ring-Pedersen commitments s^x·t^y under these parameters hide x (Definition 3.3). Run once
// per party in aux-info and key refresh (Fig. 6) and checked by every other party before it ever
// commits under those parameters.
//
// Prover: for i = 1 … m samples a_i ← Z_φ(N̂) and sends A_i = t^a_i mod N̂; the binary challenges
// e_1 … e_m are derived from the transcript of (ssid, prover, level, N̂, s, t, A_1 … A_m); it answers
// z_i = a_i + e_i·λ mod φ(N̂).
// Verifier, in this order (the first failing check names the verdict): exactly m commitments and m
// responses (prm.count); every A_i ∈ [1, N̂) (prm.range.a); every z_i ∈ [0, N̂) (prm.range.z; z_i < φ(N̂)
// cannot be checked without the factors, and any bound only limits work); then per repetition
// t^z_i = A_i · s^e_i mod N̂ (prm.eq). The statement's s and t are units other than 1, which
// RingPedersenParameters guarantees.
//
// Version followed: Fig. 17 as in the latest revision and the spec; no deviation. The challenges are
// single bits: extraction divides by e − e′ in the exponent, which in a group of unknown order works only
// for e − e′ = ±1, hence the m repetitions.
//
// Soundness: a prover that does not know log_t(s) answers at most one of the two challenges of each
// repetition, so the error is 2^−m with m = SecurityLevel.Repetitions: 2^−112 at the 2048-bit level and
// 2^−128 at 3072. Size: m·2|N̂| bytes plus framing, about 41 KB at 2048 bits and 99 KB at 3072.
//
// Speed: the prover owns N̂ (it is its own Paillier modulus) and computes every A_i by CRT. The verifier
// spends one exponentiation t^z_i per repetition; Verify is pure, so aux-info verifies Πmod, Πprm and Πfac
// of all parties in parallel, or splits one proof's repetitions with degreeOfParallelism.
using System.Numerics;
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Secrets;

namespace Threshold.Proofs;

/// <summary>Πprm: s = t^λ mod N̂ for a λ the prover knows (CGGMP21 Fig. 17).</summary>
public static class RingPedersenParametersProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail, in the order they run.</summary>
    public static class Checks
    {
        /// <summary>Exactly m = <see cref="SecurityLevel.Repetitions"/> commitments and responses.</summary>
        public const string Count = "prm.count";

        /// <summary>Every A_i ∈ [1, N̂).</summary>
        public const string RangeA = "prm.range.a";

        /// <summary>Every z_i ∈ [0, N̂).</summary>
        public const string RangeZ = "prm.range.z";

        /// <summary>t^z_i = A_i · s^e_i mod N̂ (Fig. 17, verification).</summary>
        public const string Equality = "prm.eq";
    }

    /// <summary>Public statement: the ring-Pedersen parameters and the level fixing m.</summary>
    /// <param name="Setup">(N̂, s, t), validated on construction (s, t units other than 1).</param>
    /// <param name="Level">The security level; m = <see cref="SecurityLevel.Repetitions"/>.</param>
    public sealed record Statement(RingPedersenParameters Setup, SecurityLevel Level);

    /// <summary>
    /// Secret witness: the owner's side of the parameters (λ, φ(N̂) and the CRT factors). Borrowed, not
    /// owned: the caller keeps and disposes the <see cref="RingPedersenSecret"/>.
    /// </summary>
    /// <param name="Secret">The ring-Pedersen secret whose public parameters are the statement's.</param>
    public sealed record Witness(RingPedersenSecret Secret)
    {
        /// <summary>Never shows the trapdoor.</summary>
        public override string ToString() => "RingPedersenParametersProof.Witness([secret])";
    }

    /// <summary>The proof ({A_i}, {z_i}) of Fig. 17.</summary>
    /// <param name="A">A_i = t^a_i mod N̂, i = 1 … m.</param>
    /// <param name="Z">z_i = a_i + e_i·λ mod φ(N̂), i = 1 … m.</param>
    public sealed record Proof(IReadOnlyList<BigInteger> A, IReadOnlyList<BigInteger> Z)
    {
        /// <summary>Protobuf encoding.</summary>
        public byte[] Encode()
        {
            var message = new Wire.RingPedersenParametersProof();
            message.A.AddRange(A.Select(WireCodec.Unsigned));
            message.Z.AddRange(Z.Select(WireCodec.Unsigned));
            return message.ToByteArray();
        }

        /// <summary>
        /// Strict decoding against <paramref name="statement"/>: at most <see cref="MaxEncodedLength"/>
        /// bytes, exactly m values of each kind, every A_i in Z*_N̂ and every z_i in [0, N̂).
        /// </summary>
        /// <exception cref="DecodingException">Malformed, oversized, out of range or not a unit.</exception>
        public static Proof Decode(Statement statement, ReadOnlySpan<byte> encoded)
        {
            ArgumentNullException.ThrowIfNull(statement);
            if (encoded.Length > MaxEncodedLength(statement))
            {
                throw new DecodingException(DecodingError.OutOfRange, "ring-pedersen proof length");
            }

            var message = WireCodec.Parse(Wire.RingPedersenParametersProof.Parser, encoded, "ring-pedersen proof");
            var m = statement.Level.Repetitions;
            if (message.A.Count != m || message.Z.Count != m)
            {
                throw new DecodingException(DecodingError.Malformed, "ring-pedersen repetitions");
            }

            var setup = statement.Setup;
            var a = message.A.Select(value => WireCodec.DecodeUnit(value, setup.N, setup.Arithmetic, "ring-pedersen A")).ToArray();
            var z = message.Z.Select(value => WireCodec.DecodeUnsigned(value, setup.N, "ring-pedersen z")).ToArray();
            return new Proof(a, z);
        }

        /// <summary>The largest encoding an honest prover produces for <paramref name="statement"/>.</summary>
        public static int MaxEncodedLength(Statement statement)
        {
            ArgumentNullException.ThrowIfNull(statement);
            var modulusBytes = statement.Setup.N.GetByteCount(isUnsigned: true);
            return checked(statement.Level.Repetitions * 2 * (modulusBytes + 4));
        }

        /// <inheritdoc />
        public bool Equals(Proof? other) => other is not null && other.A.SequenceEqual(A) && other.Z.SequenceEqual(Z);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(A.Count, Z.Count);
    }

    /// <summary>Proves knowledge of λ = log_t(s) (Fig. 17), computing the A_i by CRT.</summary>
    /// <exception cref="ArgumentException">The witness belongs to other parameters than the statement's.</exception>
    public static Proof Prove(ProofContext context, Statement statement, Witness witness, RandomNumberGenerator rng, int degreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        var secret = witness.Secret ?? throw new ArgumentException("the witness holds no secret", nameof(witness));
        if (!secret.Parameters.Equals(statement.Setup))
        {
            throw new ArgumentException("the witness is for other ring-Pedersen parameters than the statement", nameof(witness));
        }

        var m = statement.Level.Repetitions;
        using var phi = new SecretBigInteger(secret.Phi);
        var masks = new SecretBigInteger[m];
        try
        {
            // Step 1: a_i ← Z_φ(N̂) (drawn in order, so a seeded generator reproduces the proof), A_i = t^a_i.
            for (var i = 0; i < m; i++)
            {
                masks[i] = new SecretBigInteger(Sampling.Below(rng, phi.Value));
            }

            var commitments = new BigInteger[m];
            Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism }, i =>
                commitments[i] = secret.Commit(BigInteger.Zero, masks[i].Value));

            // Steps 2–3: e_i from the transcript, z_i = a_i + e_i·λ mod φ(N̂).
            var challenges = Challenges(context, statement, commitments);
            var lambda = secret.Lambda;
            var responses = new BigInteger[m];
            for (var i = 0; i < m; i++)
            {
                // A fresh integer either way: the mask's own limbs are wiped below.
                responses[i] = challenges[i] ? (masks[i].Value + lambda) % phi.Value : new BigInteger(masks[i].Value.ToByteArray());
            }

            return new Proof(commitments, responses);
        }
        finally
        {
            foreach (var mask in masks)
            {
                mask?.Dispose();
            }
        }
    }

    /// <summary>
    /// Verifies a Πprm proof (Fig. 17, verification). Repetitions are checked on up to
    /// <paramref name="degreeOfParallelism"/> threads; the verdict is the same either way.
    /// </summary>
    public static Verdict Verify(ProofContext context, Statement statement, Proof proof, int degreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        var m = statement.Level.Repetitions;
        if (proof.A is null || proof.Z is null || proof.A.Count != m || proof.Z.Count != m)
        {
            return Verdict.Fail(Checks.Count);
        }

        var setup = statement.Setup;
        var n = setup.N;
        if (!proof.A.All(a => a.Sign > 0 && a < n))
        {
            return Verdict.Fail(Checks.RangeA);
        }

        if (!proof.Z.All(z => z.Sign >= 0 && z < n))
        {
            return Verdict.Fail(Checks.RangeZ);
        }

        var challenges = Challenges(context, statement, proof.A);
        var arithmetic = setup.Arithmetic;
        var failed = new bool[m];
        Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism }, (i, loop) =>
        {
            var expected = challenges[i] ? arithmetic.ModMul(proof.A[i], setup.S, n) : proof.A[i];
            if (arithmetic.ModPow(setup.T, proof.Z[i], n) != expected)
            {
                failed[i] = true;
                loop.Break();
            }
        });
        return Verdict.Require(!failed.Any(f => f), Checks.Equality);
    }

    /// <summary>The binary challenges e_1 … e_m (Fig. 17, step 2, by Fiat–Shamir).</summary>
    internal static bool[] Challenges(ProofContext context, Statement statement, IReadOnlyList<BigInteger> commitments)
    {
        var setup = statement.Setup;
        using var transcript = context.Transcript("prm")
            .Append("level", statement.Level.Name)
            .Append("m", checked((ulong)statement.Level.Repetitions))
            .Append("N", setup.N)
            .Append("s", setup.S)
            .Append("t", setup.T)
            .Append("A", commitments);
        var stream = transcript.Challenge();
        var challenges = new bool[statement.Level.Repetitions];
        for (var i = 0; i < challenges.Length; i++)
        {
            challenges[i] = stream.NextBit();
        }

        return challenges;
    }
}
