// Πmod: the Paillier–Blum modulus proof of CGGMP21 (eprint 2021/060, Fig. 16), made non-interactive by
// Fiat–Shamir as in the LFDT-Lockness spec (spec/main.tex, "Πmod").
//
// Relation: N = p·q for primes p ≡ q ≡ 3 (mod 4) with gcd(N, φ(N)) = 1. Run once per party in aux-info
// and key refresh (Fig. 6 and its refresh variant) and checked by every other party.
//
// Prover: picks w ∈ Z*_N with Jacobi symbol (w/N) = −1. The m challenges y_1 … y_m ∈ Z*_N are derived
// from the transcript of (ssid, prover, level, N, w). For each i it sends
//   z_i = y_i^(N⁻¹ mod φ(N)) mod N                 (an N-th root: proves gcd(N, φ(N)) = 1),
//   a_i, b_i ∈ {0, 1} with y'_i = (−1)^a_i · w^b_i · y_i a quadratic residue mod N,
//   x_i = the principal fourth root of y'_i        (proves N has at most two prime factors, both ≡ 3 mod 4).
// Verifier, in this order (the first failing check names the verdict):
//   N is odd (mod.n.odd); N has ModulusBits − 1 or ModulusBits bits (mod.n.size: the spec's aux-info
//   asserts at least 8κ − 1 bits; we also cap it, since a SecurityLevel fixes the modulus length and an
//   oversized N would only make every verifier work harder); N is not prime (mod.n.composite); exactly m
//   repetitions (mod.count); w ∈ [1, N) and (w/N) = −1 (mod.range.w, mod.w.jacobi); every x_i, z_i in
//   [1, N) (mod.range.x, mod.range.z); then per repetition z_i^N = y_i (mod.eq1) and
//   x_i^4 = (−1)^a_i · w^b_i · y_i mod N (mod.eq2).
//
// Version followed: the corrected figure, in which the verifier rejects an even or prime N (a prime
// N ≡ 3 mod 4 satisfies both equalities for every challenge, which is why the check was added). We also
// reject a w whose Jacobi symbol is not −1, as the Taurus implementation does (the spec does not check
// it; the honest prover always meets it, so nothing honest is lost). Challenges are drawn uniformly from
// Z*_N rather than Z_N (rejection of non-units, which an honest N never produces in practice), so the
// prover's CRT arithmetic is always defined; this changes nothing in the soundness argument.
//
// Soundness: each repetition is passed by a modulus that is not Paillier–Blum with probability at most
// 1/2, so the error is 2^−m with m = SecurityLevel.Repetitions: 2^−112 at the 2048-bit level and 2^−128 at
// 3072. Size: |N| + m·(2|N| + ~10) bytes, about 42 KB at 2048 bits and 100 KB at 3072.
//
// Speed: the prover works modulo p and q separately: four half-size constant-time exponentiations per
// repetition (the N-th root, and the fourth root whose own fourth power tells whether y·w^b or its
// negative is the residue, so no variable-time Legendre symbol is ever computed on the secret primes). The verifier spends one exponentiation by N per repetition; repetitions are independent, and
// Verify is pure, so the aux-info round can verify Πmod, Πprm and Πfac of all parties in parallel
// (ParallelVerification), or split one proof's repetitions with the degreeOfParallelism argument.
using System.Numerics;
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Secrets;
using Threshold.Transcripts;

namespace Threshold.Proofs;

/// <summary>Πmod: N is a Paillier–Blum modulus (CGGMP21 Fig. 16).</summary>
public static class PaillierBlumModulusProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail, in the order they run.</summary>
    public static class Checks
    {
        /// <summary>N is positive and odd (Fig. 16, verification: "N is an odd composite number").</summary>
        public const string ModulusOdd = "mod.n.odd";

        /// <summary>
        /// N has <see cref="SecurityLevel.ModulusBits"/> − 1 or <see cref="SecurityLevel.ModulusBits"/> bits
        /// (aux-info's 8κ − 1 lower bound, and the level's length as upper bound).
        /// </summary>
        public const string ModulusSize = "mod.n.size";

        /// <summary>N is not a (probable) prime (Fig. 16, verification).</summary>
        public const string ModulusComposite = "mod.n.composite";

        /// <summary>The proof has exactly m = <see cref="SecurityLevel.Repetitions"/> repetitions.</summary>
        public const string Count = "mod.count";

        /// <summary>w ∈ [1, N).</summary>
        public const string RangeW = "mod.range.w";

        /// <summary>The Jacobi symbol (w/N) is −1 (Fig. 16, step 1).</summary>
        public const string JacobiW = "mod.w.jacobi";

        /// <summary>Every x_i ∈ [1, N).</summary>
        public const string RangeX = "mod.range.x";

        /// <summary>Every z_i ∈ [1, N).</summary>
        public const string RangeZ = "mod.range.z";

        /// <summary>z_i^N = y_i mod N (Fig. 16, verification, first equality).</summary>
        public const string Equality1 = "mod.eq1";

        /// <summary>x_i^4 = (−1)^a_i · w^b_i · y_i mod N (Fig. 16, verification, second equality).</summary>
        public const string Equality2 = "mod.eq2";
    }

    /// <summary>Public statement: the modulus N claimed to be Paillier–Blum, and the level fixing m.</summary>
    /// <param name="N">The prover's Paillier modulus, as received (Verify checks it is odd, large and composite).</param>
    /// <param name="Level">The security level; m = <see cref="SecurityLevel.Repetitions"/>.</param>
    public sealed record Statement(BigInteger N, SecurityLevel Level)
    {
        /// <summary>The statement for a Paillier public key.</summary>
        public static Statement For(PaillierPublicKey key, SecurityLevel level)
        {
            ArgumentNullException.ThrowIfNull(key);
            return new Statement(key.N, level);
        }
    }

    /// <summary>Secret witness: the factors p, q of N (private copies, wiped on <see cref="Dispose"/>).</summary>
    public sealed class Witness : IDisposable
    {
        /// <summary>Holds copies of <paramref name="p"/> and <paramref name="q"/>.</summary>
        public Witness(BigInteger p, BigInteger q)
        {
            P = new SecretBigInteger(p);
            Q = new SecretBigInteger(q);
        }

        /// <summary>The prime p ≡ 3 (mod 4).</summary>
        public SecretBigInteger P { get; }

        /// <summary>The prime q ≡ 3 (mod 4).</summary>
        public SecretBigInteger Q { get; }

        /// <summary>The witness for a Paillier secret key (copies p and q; dispose the witness after proving).</summary>
        public static Witness From(PaillierSecretKey key)
        {
            ArgumentNullException.ThrowIfNull(key);
            return new Witness(key.P, key.Q);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            P.Dispose();
            Q.Dispose();
        }

        /// <summary>Never shows the factors.</summary>
        public override string ToString() => "PaillierBlumModulusProof.Witness([secret])";
    }

    /// <summary>One repetition (x_i, a_i, b_i, z_i) of Fig. 16, step 3.</summary>
    /// <param name="X">x_i, the principal fourth root of y'_i = (−1)^a_i · w^b_i · y_i mod N.</param>
    /// <param name="A">a_i: whether y_i was multiplied by −1.</param>
    /// <param name="B">b_i: whether y_i was multiplied by w.</param>
    /// <param name="Z">z_i = y_i^(N⁻¹ mod φ(N)) mod N.</param>
    public sealed record Repetition(BigInteger X, bool A, bool B, BigInteger Z);

    /// <summary>The proof: the prover's first message w and the m repetitions.</summary>
    /// <param name="W">w ∈ Z*_N with (w/N) = −1.</param>
    /// <param name="Repetitions">The responses to the challenges y_1 … y_m, in order.</param>
    public sealed record Proof(BigInteger W, IReadOnlyList<Repetition> Repetitions)
    {
        /// <summary>Protobuf encoding.</summary>
        public byte[] Encode()
        {
            var message = new Wire.PaillierBlumModulusProof { W = WireCodec.Unsigned(W) };
            foreach (var repetition in Repetitions)
            {
                message.Repetitions.Add(new Wire.PaillierBlumModulusRepetition
                {
                    X = WireCodec.Unsigned(repetition.X),
                    A = repetition.A,
                    B = repetition.B,
                    Z = WireCodec.Unsigned(repetition.Z),
                });
            }

            return message.ToByteArray();
        }

        /// <summary>
        /// Strict decoding against <paramref name="statement"/>: at most <see cref="MaxEncodedLength"/>
        /// bytes, exactly m repetitions, and w, every x_i and z_i canonical elements of Z*_N.
        /// </summary>
        /// <exception cref="DecodingException">Malformed, oversized, out of range or not a unit.</exception>
        public static Proof Decode(Statement statement, ReadOnlySpan<byte> encoded)
        {
            ArgumentNullException.ThrowIfNull(statement);
            if (encoded.Length > MaxEncodedLength(statement))
            {
                throw new DecodingException(DecodingError.OutOfRange, "paillier-blum proof length");
            }

            var message = WireCodec.Parse(Wire.PaillierBlumModulusProof.Parser, encoded, "paillier-blum proof");
            if (message.Repetitions.Count != statement.Level.Repetitions)
            {
                throw new DecodingException(DecodingError.Malformed, "paillier-blum repetitions");
            }

            var arithmetic = Backends.Default;
            var n = statement.N;
            var w = WireCodec.DecodeUnit(message.W, n, arithmetic, "paillier-blum w");
            var repetitions = new Repetition[message.Repetitions.Count];
            for (var i = 0; i < repetitions.Length; i++)
            {
                var r = message.Repetitions[i];
                repetitions[i] = new Repetition(
                    WireCodec.DecodeUnit(r.X, n, arithmetic, "paillier-blum x"),
                    r.A,
                    r.B,
                    WireCodec.DecodeUnit(r.Z, n, arithmetic, "paillier-blum z"));
            }

            return new Proof(w, repetitions);
        }

        /// <summary>The largest encoding an honest prover produces for <paramref name="statement"/>.</summary>
        public static int MaxEncodedLength(Statement statement)
        {
            ArgumentNullException.ThrowIfNull(statement);
            var modulusBytes = Math.Max(1, BigInteger.Abs(statement.N).GetByteCount(isUnsigned: true));
            return checked((statement.Level.Repetitions * ((2 * modulusBytes) + 24)) + modulusBytes + 16);
        }

        /// <inheritdoc />
        public bool Equals(Proof? other) =>
            other is not null && other.W == W && other.Repetitions.SequenceEqual(Repetitions);

        /// <inheritdoc />
        public override int GetHashCode() => HashCode.Combine(W, Repetitions.Count);
    }

    /// <summary>Proves that the statement's N is a Paillier–Blum modulus, knowing p and q (Fig. 16).</summary>
    /// <exception cref="ArgumentException">The witness does not factor N into coprime odd factors.</exception>
    public static Proof Prove(ProofContext context, Statement statement, Witness witness, RandomNumberGenerator rng, int degreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        var arithmetic = Backends.Default;
        var n = statement.N;
        using var factors = Factors.Create(n, witness, arithmetic);

        // Step 1: w ← Z*_N with (w/N) = −1. Public, so the variable-time Jacobi symbol is fine here.
        BigInteger w;
        do
        {
            w = Sampling.Unit(rng, n, arithmetic);
        }
        while (arithmetic.Jacobi(w, n) != -1);

        // Step 2 (Fiat–Shamir): y_1 … y_m from the transcript.
        var ys = Challenges(context, statement, w, arithmetic);

        // Step 3: the responses; independent per repetition.
        var repetitions = new Repetition[ys.Length];
        Parallel.For(0, ys.Length, new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism }, i =>
            repetitions[i] = factors.Respond(ys[i], w));
        return new Proof(w, repetitions);
    }

    /// <summary>
    /// Verifies a Πmod proof (Fig. 16, verification). Repetitions are checked on up to
    /// <paramref name="degreeOfParallelism"/> threads; the verdict is the same either way (the first
    /// failing check in repetition order).
    /// </summary>
    public static Verdict Verify(ProofContext context, Statement statement, Proof proof, int degreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        var arithmetic = Backends.Default;
        var n = statement.N;
        var level = statement.Level;
        if (n.Sign <= 0 || n.IsEven)
        {
            return Verdict.Fail(Checks.ModulusOdd);
        }

        var bits = n.GetBitLength();
        if (bits < level.ModulusBits - 1 || bits > level.ModulusBits)
        {
            return Verdict.Fail(Checks.ModulusSize);
        }

        if (arithmetic.IsProbablePrime(n))
        {
            return Verdict.Fail(Checks.ModulusComposite);
        }

        if (proof.Repetitions is null || proof.Repetitions.Count != level.Repetitions || proof.Repetitions.Any(r => r is null))
        {
            return Verdict.Fail(Checks.Count);
        }

        if (!InRange(proof.W, n))
        {
            return Verdict.Fail(Checks.RangeW);
        }

        if (arithmetic.Jacobi(proof.W, n) != -1)
        {
            return Verdict.Fail(Checks.JacobiW);
        }

        if (!proof.Repetitions.All(r => InRange(r.X, n)))
        {
            return Verdict.Fail(Checks.RangeX);
        }

        if (!proof.Repetitions.All(r => InRange(r.Z, n)))
        {
            return Verdict.Fail(Checks.RangeZ);
        }

        var ys = Challenges(context, statement, proof.W, arithmetic);
        var verdicts = new Verdict[ys.Length];
        Parallel.For(0, ys.Length, new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism }, (i, loop) =>
        {
            verdicts[i] = CheckRepetition(proof.Repetitions[i], ys[i], proof.W, n, arithmetic);
            if (!verdicts[i].IsValid)
            {
                loop.Break(); // later repetitions may be skipped; every earlier one still completes
            }
        });
        return verdicts.FirstOrDefault(v => !v.IsValid);
    }

    /// <summary>The challenges y_1 … y_m ∈ Z*_N (Fig. 16, step 2, by Fiat–Shamir).</summary>
    internal static BigInteger[] Challenges(ProofContext context, Statement statement, BigInteger w, IArithmetic arithmetic)
    {
        var n = statement.N;
        using var transcript = context.Transcript("mod", TranscriptHash.Sha512)
            .Append("level", statement.Level.Name)
            .Append("m", checked((ulong)statement.Level.Repetitions))
            .Append("N", n)
            .Append("w", w);
        var stream = transcript.Challenge();
        var ys = new BigInteger[statement.Level.Repetitions];
        for (var i = 0; i < ys.Length; i++)
        {
            BigInteger y;
            do
            {
                y = stream.NextBelow(n);
            }
            while (y.IsZero || !arithmetic.IsCoprime(y, n));

            ys[i] = y;
        }

        return ys;
    }

    private static Verdict CheckRepetition(Repetition repetition, BigInteger y, BigInteger w, BigInteger n, IArithmetic arithmetic)
    {
        if (arithmetic.ModPow(repetition.Z, n, n) != y)
        {
            return Verdict.Fail(Checks.Equality1);
        }

        var expected = repetition.B ? arithmetic.ModMul(w, y, n) : y;
        if (repetition.A)
        {
            expected = n - expected;
        }

        var x2 = arithmetic.ModMul(repetition.X, repetition.X, n);
        return Verdict.Require(arithmetic.ModMul(x2, x2, n) == expected, Checks.Equality2);
    }

    private static bool InRange(BigInteger value, BigInteger n) => value.Sign > 0 && value < n;

    /// <summary>
    /// The prover's arithmetic modulo p and q: the exponents of the N-th root and of the fourth root,
    /// reduced modulo p − 1 and q − 1, and p⁻¹ mod q for recombination. All secret; wiped on dispose.
    /// </summary>
    private sealed class Factors : IDisposable
    {
        private readonly IArithmetic arithmetic;
        private readonly BigInteger n;
        private readonly SecretBigInteger p;
        private readonly SecretBigInteger q;
        private readonly SecretBigInteger pInverseModQ;
        private readonly SecretBigInteger nthRootP;
        private readonly SecretBigInteger nthRootQ;
        private readonly SecretBigInteger fourthRootP;
        private readonly SecretBigInteger fourthRootQ;
        private readonly SecretBigInteger signP;
        private readonly SecretBigInteger signQ;

        private Factors(BigInteger n, BigInteger p, BigInteger q, BigInteger nInverse, IArithmetic arithmetic)
        {
            this.arithmetic = arithmetic;
            this.n = n;
            this.p = new(p);
            this.q = new(q);
            pInverseModQ = new(arithmetic.ModInverse(p, q));
            nthRootP = new(nInverse % (p - 1));
            nthRootQ = new(nInverse % (q - 1));

            // For a prime r ≡ 3 (mod 4) and a quadratic residue c, c^((r+1)/4) is the square root of c
            // that is itself a residue; applying it twice gives the principal fourth root: c^k_r with
            // k_r = ((r+1)/4)² mod (r − 1). (−c)^k_r = (−1)^k_r · c^k_r, kept as the factor sign_r.
            var kp = BigInteger.ModPow((p + 1) >> 2, 2, p - 1);
            var kq = BigInteger.ModPow((q + 1) >> 2, 2, q - 1);
            fourthRootP = new(kp);
            fourthRootQ = new(kq);
            signP = new(kp.IsEven ? BigInteger.One : p - 1);
            signQ = new(kq.IsEven ? BigInteger.One : q - 1);
        }

        public static Factors Create(BigInteger n, Witness witness, IArithmetic arithmetic)
        {
            var p = witness.P.Value;
            var q = witness.Q.Value;
            if (p <= 2 || q <= 2 || p.IsEven || q.IsEven || p * q != n || !arithmetic.IsCoprime(p, q))
            {
                throw new ArgumentException("the witness does not factor the statement's modulus into two coprime odd factors", nameof(witness));
            }

            using var phi = new SecretBigInteger((p - 1) * (q - 1));
            if (!arithmetic.TryModInverse(n, phi.Value, out var nInverse))
            {
                throw new ArgumentException("gcd(N, φ(N)) ≠ 1: the modulus is not a Paillier modulus", nameof(witness));
            }

            return new Factors(n, p, q, nInverse, arithmetic);
        }

        /// <summary>(x_i, a_i, b_i, z_i) for the challenge y (Fig. 16, step 3).</summary>
        public Repetition Respond(BigInteger y, BigInteger w)
        {
            var pp = p.Value;
            var qq = q.Value;
            var z = Combine(arithmetic.ModPowSecret(y, nthRootP.Value, pp), arithmetic.ModPowSecret(y, nthRootQ.Value, qq));

            // b: the Jacobi symbol (y/N) is public; when it is −1, c = y·w has symbol +1, so its Legendre
            // symbols modulo p and q agree. u_r = c^k_r is the principal fourth root of c mod r when c is
            // a residue, and of −c when it is not (−1 is a non-residue mod p and q): u_p^4 = ±c tells which,
            // with no exponentiation beyond the root itself. a = 1 when −c is the residue, whose root is
            // (−1)^k_r · u_r.
            var b = arithmetic.Jacobi(y, n) == -1;
            var c = b ? arithmetic.ModMul(y, w, n) : y;
            var up = arithmetic.ModPowSecret(c, fourthRootP.Value, pp);
            var uq = arithmetic.ModPowSecret(c, fourthRootQ.Value, qq);
            var up2 = arithmetic.ModMul(up, up, pp);
            var a = arithmetic.ModMul(up2, up2, pp) != c % pp;
            var x = a
                ? Combine(arithmetic.ModMul(up, signP.Value, pp), arithmetic.ModMul(uq, signQ.Value, qq))
                : Combine(up, uq);
            return new Repetition(x, a, b, z);
        }

        public void Dispose()
        {
            foreach (var secret in new[] { p, q, pInverseModQ, nthRootP, nthRootQ, fourthRootP, fourthRootQ, signP, signQ })
            {
                secret.Dispose();
            }
        }

        /// <summary>The x mod N with x ≡ xp (mod p), x ≡ xq (mod q) (Garner recombination).</summary>
        private BigInteger Combine(BigInteger xp, BigInteger xq)
        {
            var h = arithmetic.ModMul(xq - xp, pInverseModQ.Value, q.Value);
            return xp + (p.Value * h);
        }
    }
}
