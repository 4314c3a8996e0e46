// Πenc: Paillier encryption in range (CGGMP21, eprint 2021/060, "Paillier Encryption in Range ZK – Πenc",
// Fig. 14 in the 2021–2023 revisions; later revisions renumber their figures), made non-interactive by
// Fiat–Shamir. Presigning round 1 sends one Πenc per counterparty j for K_i = enc_i(k_i; ρ_i), each
// against j's ring-Pedersen setup.
//
// Relation. Public: the prover's Paillier key N0, a ciphertext K, the verifier's ring-Pedersen setup
// (N̂, s, t), the curve (its order q bounds the challenge) and the security level (ℓ, ε). Secret: k ∈ ±2^ℓ
// and ρ ∈ Z*_N0 with K = (1 + N0)^k · ρ^N0 mod N0². An accepting proof shows that K encrypts some
// k' ∈ ±2^(ℓ+ε): the range the verifier learns is wider than the honest one by the slack ε.
//
// Protocol (the figure, unchanged):
//   prover    α ← ±2^(ℓ+ε), μ ← ±2^ℓ·N̂, r ← Z*_N0, γ ← ±2^(ℓ+ε)·N̂;
//             S = s^k·t^μ mod N̂, A = (1 + N0)^α·r^N0 mod N0², C = s^α·t^γ mod N̂
//   challenge e ← ±q, drawn from a transcript of (session id, prover index, level with ℓ and ε,
//             curve, N̂, s, t, N0, K, S, A, C): the statement, the verifier's setup, the first message
//   prover    z1 = α + e·k, z2 = r·ρ^e mod N0, z3 = γ + e·μ
//   verifier  enc.eq1       (1 + N0)^z1 · z2^N0 = A · K^e mod N0²
//             enc.eq2       s^z1 · t^z3 = C · S^e mod N̂
//             enc.range.z1  z1 ∈ ±2^(ℓ+ε)
// The figure leaves group membership implicit; Verify checks it first: enc.group.K (K ∈ Z*_{N0²}) and
// enc.group.proof (S, C ∈ Z*_N̂, A ∈ Z*_{N0²}, z2 ∈ Z*_N0). Checks run cheapest first (groups, range,
// eq2, eq1), and the verdict names the first that fails.
//
// Parameters (SecurityLevel; the paper's choice, caption of Table 2: ℓ = κ = 256, ε = 2κ = 512):
//   soundness   one run with 2q + 1 ≈ 2^257 challenges; from two accepting runs with e ≠ e' the paper
//               extracts (k, ρ) under strong RSA on N̂, so a cheater wins with probability about 1/q ≈
//               2^-256, below the 2^-112 (2048) and 2^-128 (3072) targets; no repetitions needed.
//   hiding      α hides e·k (|e·k| < 2^2ℓ) and γ hides e·μ (|e·μ| < 2^2ℓ·N̂) to statistical distance
//               2^(ℓ−ε) = 2^-256 each; μ ← ±2^ℓ·N̂ makes S hide k.
//   completeness an honest z1 leaves ±2^(ℓ+ε) with probability below 2^(2ℓ)/2^(ℓ+ε) = 2^-256.
//   size        N0 ≥ 1024 bits (PaillierPublicKey) keeps ±2^(ℓ+ε) = ±2^768 inside (−N0/2, N0/2], so the
//               proven range never wraps modulo N0.
// Version: ranges and checks as in the figure and in spec/main.tex of LFDT-Lockness/cggmp21 (which agree).
// The challenge follows the paper (e ∈ ±q) rather than the spec's e ∈ ±Q with Q = 2^m; with ε = 2κ both
// are sound and hiding. The 2024 revision ("CGGMP24") replaces Πenc in presigning by a variant with an
// El-Gamal commitment (Πenc-elg); this file is the CGGMP21 Πenc, as the presigning here uses it.
//
// Speed: the prover owns N0, so A and ρ^e use the CRT (PaillierSecretKey); the verifier owns N̂, so eq2
// uses its RingPedersenSecret. Secret exponents (k, α, μ, γ) go through mpz_powm_sec.
// Secrets: the masks α, μ, r, γ live in SecretBigInteger and are wiped once the proof is made; the
// intermediate products (e·k, e·μ) are managed big integers that cannot be wiped (see BigIntegerMemory).
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
/// Πenc: the plaintext of a Paillier ciphertext lies in range (CGGMP21 Fig. 14). Used in presigning
/// round 1 for K_i.
/// </summary>
public static class PaillierEncryptionInRangeProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail, in the order it runs them.</summary>
    public static class Checks
    {
        /// <summary>The statement's ciphertext K is not in Z*_{N0²} (implicit in Fig. 14).</summary>
        public const string CiphertextGroup = "enc.group.K";

        /// <summary>A proof value is outside its group: S, C ∉ Z*_N̂, A ∉ Z*_{N0²} or z2 ∉ Z*_N0.</summary>
        public const string ProofGroup = "enc.group.proof";

        /// <summary>Fig. 14, range check: z1 ∈ ±2^(ℓ+ε).</summary>
        public const string RangeZ1 = "enc.range.z1";

        /// <summary>Fig. 14, second equality: s^z1 · t^z3 = C · S^e mod N̂.</summary>
        public const string RingPedersenEquality = "enc.eq2";

        /// <summary>Fig. 14, first equality: (1 + N0)^z1 · z2^N0 = A · K^e mod N0².</summary>
        public const string PaillierEquality = "enc.eq1";
    }

    /// <summary>The public statement: K encrypts, under N0, a value in range.</summary>
    /// <param name="Level">The security level: ℓ, ε and the sizes the ranges scale with.</param>
    /// <param name="Curve">The curve whose order q bounds the challenge e ∈ ±q.</param>
    /// <param name="Setup">The verifier's ring-Pedersen parameters (N̂, s, t).</param>
    /// <param name="N0">The prover's Paillier public key.</param>
    /// <param name="K">The ciphertext K = enc_N0(k; ρ).</param>
    public sealed record Statement(SecurityLevel Level, Curve Curve, RingPedersenParameters Setup, PaillierPublicKey N0, PaillierCiphertext K);

    /// <summary>
    /// The secret witness (k, ρ) with K = enc_N0(k; ρ). Holds private copies of both values, wiped on
    /// <see cref="Dispose"/>.
    /// </summary>
    public sealed class Witness : IDisposable
    {
        /// <summary>Copies <paramref name="plaintext"/> (k ∈ ±2^ℓ) and <paramref name="nonce"/> (ρ ∈ Z*_N0).</summary>
        public Witness(BigInteger plaintext, BigInteger nonce)
        {
            Plaintext = new SecretBigInteger(plaintext);
            Nonce = new SecretBigInteger(nonce);
        }

        /// <summary>
        /// Copies a scalar plaintext (in presigning the secret k_i, whose value in [0, q) lies in ±2^ℓ)
        /// and <paramref name="nonce"/> (ρ ∈ Z*_N0).
        /// </summary>
        public Witness(SecretScalar plaintext, BigInteger nonce)
            : this((plaintext ?? throw new ArgumentNullException(nameof(plaintext))).Value.Value, nonce)
        {
        }

        /// <summary>k, the plaintext of K (a signed integer; in presigning, the nonce share k_i).</summary>
        public SecretBigInteger Plaintext { get; }

        /// <summary>ρ, the encryption nonce of K.</summary>
        public SecretBigInteger Nonce { get; }

        /// <summary>Wipes k and ρ.</summary>
        public void Dispose()
        {
            Plaintext.Dispose();
            Nonce.Dispose();
        }

        /// <summary>Never shows the witness.</summary>
        public override string ToString() => "PaillierEncryptionInRangeProof.Witness([secret])";
    }

    /// <summary>The proof: first message (S, A, C) and response (z1, z2, z3) of Fig. 14.</summary>
    /// <param name="S">S = s^k · t^μ mod N̂.</param>
    /// <param name="A">A = (1 + N0)^α · r^N0 mod N0².</param>
    /// <param name="C">C = s^α · t^γ mod N̂.</param>
    /// <param name="Z1">z1 = α + e·k.</param>
    /// <param name="Z2">z2 = r · ρ^e mod N0.</param>
    /// <param name="Z3">z3 = γ + e·μ.</param>
    public sealed record Proof(BigInteger S, BigInteger A, BigInteger C, BigInteger Z1, BigInteger Z2, BigInteger Z3)
    {
        /// <summary>Protobuf encoding (<c>threshold.proofs.v1.PaillierEncryptionInRangeProof</c>).</summary>
        public byte[] Encode() => new Wire.PaillierEncryptionInRangeProof
        {
            S = WireCodec.Unsigned(S),
            A = WireCodec.Unsigned(A),
            C = WireCodec.Unsigned(C),
            Z1 = WireCodec.Signed(Z1),
            Z2 = WireCodec.Unsigned(Z2),
            Z3 = WireCodec.Signed(Z3),
        }.ToByteArray();

        /// <summary>
        /// Strict decoding against <paramref name="statement"/>: S, C ∈ Z*_N̂, A ∈ Z*_{N0²}, z2 ∈ Z*_N0;
        /// z1 of at most ℓ + ε + 1 bits and z3 of at most ℓ + ε + 1 + |N̂| bits (what an honest prover can
        /// reach). The exact range of z1 is left to <see cref="Verify"/> (check enc.range.z1).
        /// </summary>
        /// <exception cref="DecodingException">Malformed, oversized, out of range or not a unit.</exception>
        public static Proof Decode(Statement statement, ReadOnlySpan<byte> encoded)
        {
            ArgumentNullException.ThrowIfNull(statement);
            var message = WireCodec.Parse(Wire.PaillierEncryptionInRangeProof.Parser, encoded, "enc proof");
            var setup = statement.Setup;
            var key = statement.N0;
            var responseBits = statement.Level.Ell + statement.Level.Epsilon + 1;
            return new Proof(
                WireCodec.DecodeUnit(message.S, setup.N, setup.Arithmetic, "enc S"),
                PaillierRangeMath.DecodeCiphertext(key, message.A, "enc A"),
                WireCodec.DecodeUnit(message.C, setup.N, setup.Arithmetic, "enc C"),
                WireCodec.DecodeSigned(message.Z1, responseBits, "enc z1"),
                WireCodec.DecodeUnit(message.Z2, key.N, key.Arithmetic, "enc z2"),
                WireCodec.DecodeSigned(message.Z3, responseBits + (int)setup.N.GetBitLength(), "enc z3"));
        }
    }

    /// <summary>
    /// Proves the statement (Fig. 14, prover steps). Pass the prover's own Paillier secret key to compute
    /// A and ρ^e by CRT (A about three times faster); the proof is the same either way. The caller
    /// guarantees K = enc_N0(k; ρ): a wrong witness yields a proof that fails enc.eq1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">k ∉ ±2^ℓ.</exception>
    /// <exception cref="ArgumentException">ρ ∉ Z*_N0, or <paramref name="proverKey"/> is not the key of N0.</exception>
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
            throw new ArgumentOutOfRangeException(nameof(witness), "the plaintext k must lie in ±2^ℓ");
        }

        return ProveUnchecked(context, statement, witness, rng, proverKey);
    }

    /// <summary>
    /// Checks the proof against the statement (Fig. 14, verifier steps, after the group checks). Pass the
    /// verifier's own ring-Pedersen secret to check enc.eq2 by CRT.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="verifierSecret"/> belongs to another setup.</exception>
    public static Verdict Verify(ProofContext context, Statement statement, Proof proof, RingPedersenSecret? verifierSecret = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(proof);
        var setup = statement.Setup;
        var key = statement.N0;
        PaillierRangeMath.RequireMatchingSetup(setup, verifierSecret);
        if (!PaillierRangeMath.IsCiphertext(key, statement.K.Value))
        {
            return Verdict.Fail(Checks.CiphertextGroup);
        }

        var inGroups = PaillierRangeMath.IsUnit(setup.Arithmetic, proof.S, setup.N)
            && PaillierRangeMath.IsUnit(setup.Arithmetic, proof.C, setup.N)
            && PaillierRangeMath.IsCiphertext(key, proof.A)
            && key.IsUnit(proof.Z2);
        if (!inGroups)
        {
            return Verdict.Fail(Checks.ProofGroup);
        }

        if (!PaillierRangeMath.InSignedRange(proof.Z1, statement.Level.Ell + statement.Level.Epsilon))
        {
            return Verdict.Fail(Checks.RangeZ1);
        }

        var e = Challenge(context, statement, proof.S, proof.A, proof.C);
        return Concurrently.FirstFailure(
        [
            (Checks.RingPedersenEquality, () => PaillierRangeMath.CommitmentHolds(setup, verifierSecret, proof.Z1, proof.Z3, proof.C, proof.S, e)),
            (Checks.PaillierEquality, () => PaillierRangeMath.EncryptionHolds(key, proof.Z1, proof.Z2, proof.A, statement.K.Value, e)),
        ]);
    }

    /// <summary>
    /// The prover without the range check on k: honest arithmetic on any witness. Tests use it to show
    /// that an out-of-range plaintext is caught by enc.range.z1 alone.
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
        PaillierRangeMath.RequireMatchingKey(key, proverKey);
        var k = witness.Plaintext.Value;
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

        var (s, a, c) = Concurrently.Run(
            () => setup.SecretCommit(k, level.Ell, mu.Value, PaillierRangeMath.WithModulus(level.Ell, setup)),
            () => PaillierRangeMath.EncryptMask(key, proverKey, alpha.Value, r.Value),
            () => setup.SecretCommit(alpha.Value, maskBits, gamma.Value, PaillierRangeMath.WithModulus(maskBits, setup)));
        var e = Challenge(context, statement, s, a, c);
        return new Proof(
            s,
            a,
            c,
            alpha.Value + (e * k),
            PaillierRangeMath.NonceResponse(key, proverKey, r.Value, rho, e),
            gamma.Value + (e * mu.Value));
    }

    /// <summary>e ∈ ±q from the context, the whole statement (setup and key included) and (S, A, C).</summary>
    private static BigInteger Challenge(ProofContext context, Statement statement, BigInteger s, BigInteger a, BigInteger c)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var transcript = context.Transcript("enc")
            .Append("level", statement.Level.Name)
            .Append("ell", checked((ulong)statement.Level.Ell))
            .Append("epsilon", checked((ulong)statement.Level.Epsilon))
            .Append("curve", statement.Curve.Name)
            .Append("Nhat", statement.Setup.N)
            .Append("s", statement.Setup.S)
            .Append("t", statement.Setup.T)
            .Append("N0", statement.N0.N)
            .Append("K", statement.K.Value)
            .Append("S", s)
            .Append("A", a)
            .Append("C", c);
        return transcript.Challenge().NextSigned(statement.Curve.Order);
    }
}
