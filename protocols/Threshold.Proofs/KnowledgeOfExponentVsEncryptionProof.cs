// Πlog*: knowledge of exponent vs Paillier encryption (CGGMP21, eprint 2021/060, "Knowledge of Exponent
// vs Paillier Encryption – Πlog*", Fig. 25 in the 2021–2023 revisions; later revisions renumber their
// figures), made non-interactive by Fiat–Shamir, with an arbitrary base g. Presigning uses it twice per counterparty:
// round 2 with g the curve generator (Γ_i = γ_i·G against G_i = enc_i(γ_i)) and round 3 with g = Γ
// (Δ_i = k_i·Γ against K_i = enc_i(k_i)).
//
// Relation. Public: the prover's Paillier key N0, a ciphertext C, points X and g of one curve, the
// verifier's ring-Pedersen setup (N̂, s, t) and the security level (ℓ, ε). Secret: x ∈ ±2^ℓ and
// ρ ∈ Z*_N0 with C = (1 + N0)^x · ρ^N0 mod N0² and X = x·g. An accepting proof shows that C encrypts
// some x' ∈ ±2^(ℓ+ε) with X = x'·g.
//
// Protocol (the figure, unchanged; the group is written additively):
//   prover    α ← ±2^(ℓ+ε), μ ← ±2^ℓ·N̂, r ← Z*_N0, γ ← ±2^(ℓ+ε)·N̂;
//             S = s^x·t^μ mod N̂, A = (1 + N0)^α·r^N0 mod N0², Y = α·g, D = s^α·t^γ mod N̂
//   challenge e ← ±q, drawn from a transcript of (session id, prover index, level with ℓ and ε,
//             curve, N̂, s, t, N0, C, X, g, S, A, Y, D)
//   prover    z1 = α + e·x, z2 = r·ρ^e mod N0, z3 = γ + e·μ
//   verifier  logstar.eq1       (1 + N0)^z1 · z2^N0 = A · C^e mod N0²
//             logstar.eq2       z1·g = Y + e·X
//             logstar.eq3       s^z1 · t^z3 = D · S^e mod N̂
//             logstar.range.z1  z1 ∈ ±2^(ℓ+ε)
// Checks the figure leaves implicit, run first: logstar.curve (X, g and Y on one curve), logstar.base
// (g is not the identity, else eq2 says nothing about x), logstar.group.C (C ∈ Z*_{N0²}) and
// logstar.group.proof (S, D ∈ Z*_N̂, A ∈ Z*_{N0²}, z2 ∈ Z*_N0, Y not the identity). Then the range and
// the equalities cheapest first (eq2, eq3, eq1); the verdict names the first check that fails.
//
// Parameters (SecurityLevel; the paper's ℓ = κ = 256, ε = 2κ = 512): as for Πenc. One run with 2q + 1
// ≈ 2^257 challenges gives soundness error about 1/q ≈ 2^-256 (extraction under strong RSA on N̂), below
// the 2^-112 and 2^-128 targets; the masks hide e·x and e·μ to statistical distance 2^(ℓ−ε) = 2^-256;
// an honest z1 leaves the range with probability below 2^-256.
// Version: as in the figure and in spec/main.tex of LFDT-Lockness/cggmp21 ("Πlog*: group element vs
// Paillier encryption in range"), which agree; the challenge follows the paper (e ∈ ±q) rather than the
// spec's ±Q. The base g is part of the statement (the spec calls it B), so round 3 can use Γ; it is
// hashed into the challenge like every other statement value.
//
// Speed: the prover owns N0 (CRT for A and ρ^e); the verifier owns N̂ (CRT for eq3). Secret exponents
// go through mpz_powm_sec. Y = α·g is a secret-scalar multiplication (Point.MultiplyGenerator or
// Point.Multiply with a SecretScalar), constant time in α on both curves, for g = G and for g = Γ alike.
// Secrets: the masks α, μ, r, γ (and α mod q) live in secret holders and are wiped once the proof is
// made; the intermediate products (e·x, e·μ) are managed big integers that cannot be wiped.
using System.Numerics;
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Secrets;

namespace Threshold.Proofs;

/// <summary>
/// Πlog*: the plaintext of a Paillier ciphertext is in range and is the discrete logarithm of a point to
/// a given base (CGGMP21 Fig. 25). Used in presigning rounds 2 and 3.
/// </summary>
public static class KnowledgeOfExponentVsEncryptionProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail, in the order it runs them.</summary>
    public static class Checks
    {
        /// <summary>X, the base g and the proof's Y are not all on one curve.</summary>
        public const string Curve = "logstar.curve";

        /// <summary>The base g is the identity, so X = x·g binds nothing.</summary>
        public const string Base = "logstar.base";

        /// <summary>The statement's ciphertext C is not in Z*_{N0²} (implicit in Fig. 25).</summary>
        public const string CiphertextGroup = "logstar.group.C";

        /// <summary>A proof value is outside its group: S, D ∉ Z*_N̂, A ∉ Z*_{N0²}, z2 ∉ Z*_N0, or Y the identity.</summary>
        public const string ProofGroup = "logstar.group.proof";

        /// <summary>Fig. 25, range check: z1 ∈ ±2^(ℓ+ε).</summary>
        public const string RangeZ1 = "logstar.range.z1";

        /// <summary>Fig. 25, second equality: z1·g = Y + e·X.</summary>
        public const string GroupEquality = "logstar.eq2";

        /// <summary>Fig. 25, third equality: s^z1 · t^z3 = D · S^e mod N̂.</summary>
        public const string RingPedersenEquality = "logstar.eq3";

        /// <summary>Fig. 25, first equality: (1 + N0)^z1 · z2^N0 = A · C^e mod N0².</summary>
        public const string PaillierEquality = "logstar.eq1";
    }

    /// <summary>The public statement: C encrypts, under N0, the discrete logarithm of X to the base g.</summary>
    /// <param name="Level">The security level: ℓ, ε and the sizes the ranges scale with.</param>
    /// <param name="Setup">The verifier's ring-Pedersen parameters (N̂, s, t).</param>
    /// <param name="N0">The prover's Paillier public key.</param>
    /// <param name="C">The ciphertext C = enc_N0(x; ρ).</param>
    /// <param name="X">The point X = x·g.</param>
    /// <param name="Base">The base g: the curve generator, or Γ in presigning round 3.</param>
    public sealed record Statement(SecurityLevel Level, RingPedersenParameters Setup, PaillierPublicKey N0, PaillierCiphertext C, Point X, Point Base)
    {
        /// <summary>The curve of X (its order q bounds the challenge e ∈ ±q).</summary>
        public Curve Curve => X.Curve;
    }

    /// <summary>
    /// The secret witness (x, ρ) with C = enc_N0(x; ρ) and X = x·g. Holds private copies of both
    /// values, wiped on <see cref="Dispose"/>.
    /// </summary>
    public sealed class Witness : IDisposable
    {
        /// <summary>Copies <paramref name="plaintext"/> (x ∈ ±2^ℓ) and <paramref name="nonce"/> (ρ ∈ Z*_N0).</summary>
        public Witness(BigInteger plaintext, BigInteger nonce)
        {
            Plaintext = new SecretBigInteger(plaintext);
            Nonce = new SecretBigInteger(nonce);
        }

        /// <summary>
        /// Copies a scalar plaintext (in presigning the secret γ_i or k_i, whose value in [0, q) lies in ±2^ℓ)
        /// and <paramref name="nonce"/> (ρ ∈ Z*_N0).
        /// </summary>
        public Witness(SecretScalar plaintext, BigInteger nonce)
            : this((plaintext ?? throw new ArgumentNullException(nameof(plaintext))).Value.Value, nonce)
        {
        }

        /// <summary>x, the plaintext of C and the discrete logarithm of X (in presigning γ_i or k_i).</summary>
        public SecretBigInteger Plaintext { get; }

        /// <summary>ρ, the encryption nonce of C.</summary>
        public SecretBigInteger Nonce { get; }

        /// <summary>Wipes x and ρ.</summary>
        public void Dispose()
        {
            Plaintext.Dispose();
            Nonce.Dispose();
        }

        /// <summary>Never shows the witness.</summary>
        public override string ToString() => "KnowledgeOfExponentVsEncryptionProof.Witness([secret])";
    }

    /// <summary>The proof: first message (S, A, Y, D) and response (z1, z2, z3) of Fig. 25.</summary>
    /// <param name="S">S = s^x · t^μ mod N̂.</param>
    /// <param name="A">A = (1 + N0)^α · r^N0 mod N0².</param>
    /// <param name="Y">Y = α·g.</param>
    /// <param name="D">D = s^α · t^γ mod N̂.</param>
    /// <param name="Z1">z1 = α + e·x.</param>
    /// <param name="Z2">z2 = r · ρ^e mod N0.</param>
    /// <param name="Z3">z3 = γ + e·μ.</param>
    public sealed record Proof(BigInteger S, BigInteger A, Point Y, BigInteger D, BigInteger Z1, BigInteger Z2, BigInteger Z3)
    {
        /// <summary>Protobuf encoding (<c>threshold.proofs.v1.KnowledgeOfExponentVsEncryptionProof</c>).</summary>
        public byte[] Encode() => new Wire.KnowledgeOfExponentVsEncryptionProof
        {
            S = WireCodec.Unsigned(S),
            A = WireCodec.Unsigned(A),
            Y = WireCodec.Point(Y),
            D = WireCodec.Unsigned(D),
            Z1 = WireCodec.Signed(Z1),
            Z2 = WireCodec.Unsigned(Z2),
            Z3 = WireCodec.Signed(Z3),
        }.ToByteArray();

        /// <summary>
        /// Strict decoding against <paramref name="statement"/>: S, D ∈ Z*_N̂, A ∈ Z*_{N0²}, z2 ∈ Z*_N0,
        /// Y on the statement's curve and not the identity; z1 of at most ℓ + ε + 1 bits and z3 of at
        /// most ℓ + ε + 1 + |N̂| bits. The exact range of z1 is left to <see cref="Verify"/>.
        /// </summary>
        /// <exception cref="DecodingException">Malformed, oversized, out of range, not a unit or not on the curve.</exception>
        public static Proof Decode(Statement statement, ReadOnlySpan<byte> encoded)
        {
            ArgumentNullException.ThrowIfNull(statement);
            var message = WireCodec.Parse(Wire.KnowledgeOfExponentVsEncryptionProof.Parser, encoded, "logstar proof");
            var setup = statement.Setup;
            var key = statement.N0;
            var responseBits = statement.Level.Ell + statement.Level.Epsilon + 1;
            return new Proof(
                WireCodec.DecodeUnit(message.S, setup.N, setup.Arithmetic, "logstar S"),
                PaillierRangeMath.DecodeCiphertext(key, message.A, "logstar A"),
                WireCodec.DecodePoint(statement.Curve, message.Y, "logstar Y"),
                WireCodec.DecodeUnit(message.D, setup.N, setup.Arithmetic, "logstar D"),
                WireCodec.DecodeSigned(message.Z1, responseBits, "logstar z1"),
                WireCodec.DecodeUnit(message.Z2, key.N, key.Arithmetic, "logstar z2"),
                WireCodec.DecodeSigned(message.Z3, responseBits + (int)setup.N.GetBitLength(), "logstar z3"));
        }
    }

    /// <summary>
    /// Proves the statement (Fig. 25, prover steps). Pass the prover's own Paillier secret key to use the
    /// CRT for A and ρ^e; the proof is the same either way. The caller guarantees C = enc_N0(x; ρ) and
    /// X = x·g: a wrong witness yields a proof that fails logstar.eq1 or logstar.eq2.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">x ∉ ±2^ℓ.</exception>
    /// <exception cref="ArgumentException">
    /// ρ ∉ Z*_N0, g is the identity or on another curve than X, or <paramref name="proverKey"/> is not the key of N0.
    /// </exception>
    public static Proof Prove(
        ProofContext context,
        Statement statement,
        Witness witness,
        RandomNumberGenerator rng,
        PaillierSecretKey? proverKey = null)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        if (!PaillierRangeMath.InSignedRange(witness.Plaintext.Value, statement.Level.Ell))
        {
            throw new ArgumentOutOfRangeException(nameof(witness), "the plaintext x must lie in ±2^ℓ");
        }

        return ProveUnchecked(context, statement, witness, rng, proverKey);
    }

    /// <summary>
    /// Checks the proof against the statement (Fig. 25, verifier steps, after the curve and group checks).
    /// Pass the verifier's own ring-Pedersen secret to check logstar.eq3 by CRT.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="verifierSecret"/> belongs to another setup.</exception>
    public static Verdict Verify(ProofContext context, Statement statement, Proof proof, RingPedersenSecret? verifierSecret = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(proof);
        var setup = statement.Setup;
        var key = statement.N0;
        var curve = statement.Curve;
        PaillierRangeMath.RequireMatchingSetup(setup, verifierSecret);
        if (statement.Base.Curve != curve || proof.Y.Curve != curve)
        {
            return Verdict.Fail(Checks.Curve);
        }

        if (statement.Base.IsIdentity)
        {
            return Verdict.Fail(Checks.Base);
        }

        if (!PaillierRangeMath.IsCiphertext(key, statement.C.Value))
        {
            return Verdict.Fail(Checks.CiphertextGroup);
        }

        var inGroups = PaillierRangeMath.IsUnit(setup.Arithmetic, proof.S, setup.N)
            && PaillierRangeMath.IsUnit(setup.Arithmetic, proof.D, setup.N)
            && PaillierRangeMath.IsCiphertext(key, proof.A)
            && key.IsUnit(proof.Z2)
            && !proof.Y.IsIdentity;
        if (!inGroups)
        {
            return Verdict.Fail(Checks.ProofGroup);
        }

        if (!PaillierRangeMath.InSignedRange(proof.Z1, statement.Level.Ell + statement.Level.Epsilon))
        {
            return Verdict.Fail(Checks.RangeZ1);
        }

        var e = Challenge(context, statement, proof.S, proof.A, proof.Y, proof.D);
        var left = Scalar.FromValue(curve, proof.Z1) * statement.Base;
        var right = proof.Y + (Scalar.FromValue(curve, e) * statement.X);
        if (!left.Equals(right))
        {
            return Verdict.Fail(Checks.GroupEquality);
        }

        return Concurrently.FirstFailure(
        [
            (Checks.RingPedersenEquality, () => PaillierRangeMath.CommitmentHolds(setup, verifierSecret, proof.Z1, proof.Z3, proof.D, proof.S, e)),
            (Checks.PaillierEquality, () => PaillierRangeMath.EncryptionHolds(key, proof.Z1, proof.Z2, proof.A, statement.C.Value, e)),
        ]);
    }

    /// <summary>
    /// The prover without the range check on x: honest arithmetic on any witness. Tests use it to show
    /// that an out-of-range plaintext is caught by logstar.range.z1 alone.
    /// </summary>
    internal static Proof ProveUnchecked(
        ProofContext context,
        Statement statement,
        Witness witness,
        RandomNumberGenerator rng,
        PaillierSecretKey? proverKey)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        var level = statement.Level;
        var setup = statement.Setup;
        var key = statement.N0;
        var curve = statement.Curve;
        PaillierRangeMath.RequireMatchingKey(key, proverKey);
        if (statement.Base.Curve != curve || statement.Base.IsIdentity)
        {
            throw new ArgumentException("the base g must be a point of X's curve other than the identity", nameof(statement));
        }

        var x = witness.Plaintext.Value;
        var rho = witness.Nonce.Value;
        if (!key.IsUnit(rho))
        {
            throw new ArgumentException("the nonce ρ must lie in Z*_N0", nameof(witness));
        }

        var maskBits = level.Ell + level.Epsilon;
        using var alpha = new SecretBigInteger(Sampling.Signed(rng, maskBits));
        using var mu = new SecretBigInteger(Sampling.Signed(rng, (BigInteger.One << level.Ell) * setup.N));
        using var r = new SecretBigInteger(key.SampleNonce(rng));
        using var gamma = new SecretBigInteger(Sampling.Signed(rng, (BigInteger.One << maskBits) * setup.N));
        using var alphaModQ = SecretScalar.FromValue(curve, alpha.Value);

        var (s, a, d) = Concurrently.Run(
            () => setup.SecretCommit(x, level.Ell, mu.Value, PaillierRangeMath.WithModulus(level.Ell, setup)),
            () => PaillierRangeMath.EncryptMask(key, proverKey, alpha.Value, r.Value),
            () => setup.SecretCommit(alpha.Value, maskBits, gamma.Value, PaillierRangeMath.WithModulus(maskBits, setup)));
        var y = statement.Base.Equals(curve.Generator) ? Point.MultiplyGenerator(alphaModQ) : statement.Base.Multiply(alphaModQ);
        var e = Challenge(context, statement, s, a, y, d);
        return new Proof(
            s,
            a,
            y,
            d,
            alpha.Value + (e * x),
            PaillierRangeMath.NonceResponse(key, proverKey, r.Value, rho, e),
            gamma.Value + (e * mu.Value));
    }

    /// <summary>e ∈ ±q from the context, the whole statement (setup, key and base included) and (S, A, Y, D).</summary>
    private static BigInteger Challenge(ProofContext context, Statement statement, BigInteger s, BigInteger a, Point y, BigInteger d)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var transcript = context.Transcript("logstar")
            .Append("level", statement.Level.Name)
            .Append("ell", checked((ulong)statement.Level.Ell))
            .Append("epsilon", checked((ulong)statement.Level.Epsilon))
            .Append("curve", statement.Curve.Name)
            .Append("Nhat", statement.Setup.N)
            .Append("s", statement.Setup.S)
            .Append("t", statement.Setup.T)
            .Append("N0", statement.N0.N)
            .Append("C", statement.C.Value)
            .Append("X", statement.X)
            .Append("g", statement.Base)
            .Append("S", s)
            .Append("A", a)
            .Append("Y", y)
            .Append("D", d);
        return transcript.Challenge().NextSigned(statement.Curve.Order);
    }
}
