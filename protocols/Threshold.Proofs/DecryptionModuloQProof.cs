// Πdec: Paillier decryption modulo q (CGGMP21, eprint 2021/060, Appendix C.6, Fig. 30, in the
// revisions whose presigning runs Πenc, Πaff-g and Πlog*, the protocol this project implements),
// made non-interactive by Fiat–Shamir, with a range check the figure lacks (see below). The latest
// revision (2024-10-21) rebuilt presigning around ElGamal-style commitments and replaced this proof
// by a setup-free "decryption in the exponent"; this file follows the revision that matches our
// presigning.
//
// Relation. Public: the prover's Paillier key N0, a ciphertext C ∈ Z*_{N0²}, a scalar x ∈ Z_q, a plaintext
// bound ℓ_y, and the verifier's ring-Pedersen parameters (N̂, s, t). Secret: y ∈ ±2^ℓ_y and ρ ∈ Z*_N0 with
//     C = (1 + N0)^y · ρ^N0 (mod N0²)   and   y ≡ x (mod q),
// that is, the signed decryption of C (in (−N0/2, N0/2]) is congruent to x modulo q. Soundness gives a
// y' with |y'| ≤ 2^(ℓ_y+ε+1) < N0/2, which is therefore that signed decryption.
//
// Protocol (one run; challenge e ∈ [−q, q], soundness error about 1/(2q + 1) < 2^-256 under strong RSA
// for N̂, below the 2^-112 / 2^-128 of the two levels):
//     prover:   α ← ±2^(ℓ_y+ε), μ ← ±2^ℓ_y·N̂, ν ← ±2^(ℓ_y+ε)·N̂, r ← Z*_N0;
//               S = s^y · t^μ,  T = s^α · t^ν (mod N̂),  A = (1 + N0)^α · r^N0 (mod N0²),  γ = α mod q
//     challenge e = H(ssid, prover, level, curve, ℓ_y, N0, C, x, N̂, s, t, S, T, A, γ) ∈ [−q, q]
//     prover:   z1 = α + e·y,  z2 = ν + e·μ,  w = r · ρ^e mod N0
//     verifier: ℓ_y + ε + 4 ≤ |N0|;  A ∈ Z*_{N0²}, w ∈ Z*_N0, S, T ∈ Z*_N̂;  z1 ∈ ±2^(ℓ_y+ε);
//               (1 + N0)^z1 · w^N0 = A · C^e (mod N0²),  z1 ≡ γ + e·x (mod q),  s^z1 · t^z2 = T · S^e (mod N̂)
// with ε = SecurityLevel.Epsilon (512).
//
// Where this file differs from the figure, and why:
//  - Range check on z1 (added). Without it the relation says nothing: for any C and any target x the
//    prover can take the integer y = dec(C) + k·N0 with k ≡ (x − dec(C))·N0⁻¹ (mod q), which satisfies
//    C = enc(y) and y ≡ x (mod q), and prove it honestly. A cheater could then broadcast a wrong δ_i or
//    σ_i and still pass. Bounding |z1| by 2^(ℓ_y+ε) bounds the extracted y by 2^(ℓ_y+ε+1), and requiring
//    ℓ_y + ε + 4 ≤ |N0| (bits) keeps that below N0/2, so y is the decryption itself.
//  - The plaintext bound ℓ_y is part of the statement. The figure masks y with α ← ±2^(ℓ+ε), which hides
//    e·y only for |y| ≤ 2^ℓ; the identification plaintexts are sums of products of Paillier-proof-sized
//    values and are much larger, so every mask (α, μ, ν) is scaled to ℓ_y, as Πenc scales with ℓ.
//  - The figure says "sends (A, γ)"; S and T are sent too (the verifier needs them), and r is drawn from
//    Z*_N0. The verifier also checks that A, w, S, T are units and that C lies in Z*_{N0²} of N0.
//  - The challenge hashes the session id and prover index (ProofContext) with the whole statement.
//
// Use in identification. The prover P_i owns N0 = N_i (pass its PaillierSecretKey: CRT); each verifier
// P_j gets its own proof under P_j's ring-Pedersen setup (pass P_j's RingPedersenSecret: CRT). Everyone
// computes C homomorphically from ciphertexts they hold, so C needs no trust in P_i.
//  - Presigning, failed δ check (δ·G ≠ Σ Δ_j): C = H_i · Π_{j≠i} D_{i,j} · F_{j,i}^(±1) under N_i (H_i from
//    Πmul; the sign of F depends on the convention for β), whose plaintext is the integer
//    k_i·γ_i + Σ_{j≠i} (α_{i,j} + β_{i,j}); x = δ_i, the value P_i broadcast. A failing proof blames P_i.
//  - Signing, invalid signature: C = K_i^m · (Ĥ_i · Π_{j≠i} D̂_{i,j} · F̂_{j,i}^(±1))^r under N_i (Ĥ_i from
//    Πmul*), plaintext k_i·m + r·χ_i; x = σ_i.
//  Witness.Recover(key, C) gives y (the signed decryption) and ρ (recovered with the key), since the
//  nonce of a ciphertext built from other parties' ciphertexts is otherwise unknown to P_i.
//
// Choosing ℓ_y (caution, 2048-bit level). Prover and verifier must agree on ℓ_y, and |y| ≤ 2^ℓ_y must
// hold for the honest prover. With ℓ' = 1280, ε = 512 and n parties: honest counterparts keep
// |δ_i| < 2^(ℓ'+2+⌈log2 n⌉), but Πaff-g only bounds a counterpart's β by 2^(ℓ'+ε), so in the worst case
// |δ_i| < 2^(ℓ'+ε+2+⌈log2 n⌉), and σ's plaintext is about 2^ℓ times larger still. MaxPlaintextBits is
// |N0| − ε − 4: 2556 at 3072 bits, which covers both worst cases; 1532 at 2048 bits, which covers an
// honest δ_i but neither a worst-case δ_i nor σ's plaintext. See the project report for this limit.
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
/// Πdec: the signed decryption of a Paillier ciphertext C is congruent to a public x modulo q
/// (CGGMP21 App. C.6, Fig. 30, with the range check this project adds), used to identify a cheater
/// after a failed δ check in presigning or a failed signature in signing.
/// </summary>
public static class DecryptionModuloQProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail, in the order it runs them.</summary>
    public static class Checks
    {
        /// <summary>The statement's plaintext bound is too large for the key (ℓ_y + ε + 4 &gt; |N0|) or below 1.</summary>
        public const string Parameters = "dec.parameters";

        /// <summary>C is not in Z*_{N0²} of the statement's key.</summary>
        public const string Statement = "dec.statement";

        /// <summary>γ is a scalar of another curve than x.</summary>
        public const string Curve = "dec.curve";

        /// <summary>A is not in Z*_{N0²}, w not in Z*_N0, or S or T not in Z*_N̂.</summary>
        public const string Units = "dec.units";

        /// <summary>Range check (added to Fig. 30): z1 ∈ ±2^(ℓ_y+ε).</summary>
        public const string RangeZ1 = "dec.range.z1";

        /// <summary>Fig. 30, first check: (1 + N0)^z1 · w^N0 = A · C^e (mod N0²).</summary>
        public const string Equality1 = "dec.eq1";

        /// <summary>Fig. 30, second check: z1 ≡ γ + e·x (mod q).</summary>
        public const string Equality2 = "dec.eq2";

        /// <summary>Fig. 30, third check: s^z1 · t^z2 = T · S^e (mod N̂).</summary>
        public const string Equality3 = "dec.eq3";
    }

    /// <summary>The public statement.</summary>
    /// <param name="Key">The prover's Paillier key N0 (in CGGMP21, N_i).</param>
    /// <param name="C">The ciphertext (in identification, assembled by every party from public ciphertexts).</param>
    /// <param name="X">x, the claimed decryption modulo q (δ_i or σ_i); its curve fixes q.</param>
    /// <param name="VerifierSetup">The verifier's ring-Pedersen parameters (N̂, s, t).</param>
    /// <param name="Level">The security level that fixes ε.</param>
    /// <param name="PlaintextBits">ℓ_y: the bound |y| ≤ 2^ℓ_y on the decryption, at most
    /// <see cref="MaxPlaintextBits"/> for the key.</param>
    public sealed record Statement(PaillierPublicKey Key, PaillierCiphertext C, Scalar X, RingPedersenParameters VerifierSetup, SecurityLevel Level, int PlaintextBits)
    {
        /// <summary>The curve of x.</summary>
        public Curve Curve => X.Curve;
    }

    /// <summary>The secret witness (y, ρ), held in wiped memory; the caller disposes it.</summary>
    public sealed class Witness : IDisposable
    {
        /// <summary>Copies the witness into secret holders.</summary>
        /// <param name="y">The plaintext y, |y| ≤ 2^ℓ_y, with y ≡ x (mod q).</param>
        /// <param name="rho">ρ ∈ Z*_N0 with C = (1 + N0)^y · ρ^N0.</param>
        public Witness(BigInteger y, BigInteger rho)
        {
            Y = new SecretBigInteger(y);
            Rho = new SecretBigInteger(rho);
        }

        /// <summary>y.</summary>
        public SecretBigInteger Y { get; }

        /// <summary>ρ, the nonce of C.</summary>
        public SecretBigInteger Rho { get; }

        /// <summary>
        /// The witness for a ciphertext under the prover's own key: y is its signed decryption and ρ its
        /// nonce, recovered with the key (for ciphertexts assembled from other parties' ciphertexts).
        /// </summary>
        public static Witness Recover(PaillierSecretKey key, PaillierCiphertext ciphertext)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(ciphertext);
            using var y = new SecretBigInteger(key.DecryptSigned(ciphertext));
            using var rho = new SecretBigInteger(IdentificationSupport.RecoverNonce(key, ciphertext.Value));
            return new Witness(y.Value, rho.Value);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            Y.Dispose();
            Rho.Dispose();
        }

        /// <summary>Never shows the witness.</summary>
        public override string ToString() => "DecryptionModuloQProof.Witness([secret])";
    }

    /// <summary>The proof (S, T, A, γ, z1, z2, w) of Fig. 30.</summary>
    /// <param name="S">S = s^y · t^μ mod N̂.</param>
    /// <param name="T">T = s^α · t^ν mod N̂.</param>
    /// <param name="A">A = (1 + N0)^α · r^N0 mod N0².</param>
    /// <param name="Gamma">γ = α mod q.</param>
    /// <param name="Z1">z1 = α + e·y.</param>
    /// <param name="Z2">z2 = ν + e·μ.</param>
    /// <param name="W">w = r · ρ^e mod N0.</param>
    public sealed record Proof(BigInteger S, BigInteger T, BigInteger A, Scalar Gamma, BigInteger Z1, BigInteger Z2, BigInteger W)
    {
        /// <summary>Protobuf encoding.</summary>
        public byte[] Encode() => new Wire.DecryptionModuloQProof
        {
            S = WireCodec.Unsigned(S),
            T = WireCodec.Unsigned(T),
            A = WireCodec.Unsigned(A),
            Gamma = WireCodec.Scalar(Gamma),
            Z1 = WireCodec.Signed(Z1),
            Z2 = WireCodec.Signed(Z2),
            W = WireCodec.Unsigned(W),
        }.ToByteArray();

        /// <summary>
        /// Strict decoding against the statement: S, T ∈ Z*_N̂, A ∈ Z*_{N0²}, γ a canonical scalar,
        /// w ∈ Z*_N0, |z1| &lt; 2^(ℓ_y+ε+1) and |z2| &lt; 2^(ℓ_y+ε+1)·N̂ (what an honest prover can produce;
        /// <see cref="Verify"/> then applies z1 ∈ ±2^(ℓ_y+ε)).
        /// </summary>
        /// <exception cref="DecodingException">Malformed, out of range, or not a unit.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The statement's ℓ_y is not in [1, <see cref="MaxPlaintextBits"/>].</exception>
        public static Proof Decode(Statement statement, ReadOnlySpan<byte> encoded)
        {
            ArgumentNullException.ThrowIfNull(statement);
            var key = statement.Key;
            var setup = statement.VerifierSetup;
            if (!ParametersHold(statement))
            {
                throw new ArgumentOutOfRangeException(nameof(statement), "the plaintext bound ℓ_y must be in [1, |N0| − ε − 4]");
            }

            var maskBits = statement.PlaintextBits + statement.Level.Epsilon;
            var message = WireCodec.Parse(Wire.DecryptionModuloQProof.Parser, encoded, "dec proof");
            return new Proof(
                WireCodec.DecodeUnit(message.S, setup.N, setup.Arithmetic, "dec S"),
                WireCodec.DecodeUnit(message.T, setup.N, setup.Arithmetic, "dec T"),
                WireCodec.DecodeUnit(message.A, key.NSquared, key.Arithmetic, "dec A"),
                WireCodec.DecodeScalar(statement.Curve, message.Gamma, "dec gamma"),
                WireCodec.DecodeSigned(message.Z1, maskBits + 1, "dec z1"),
                WireCodec.DecodeSigned(message.Z2, maskBits + 1 + (int)setup.N.GetBitLength(), "dec z2"),
                WireCodec.DecodeUnit(message.W, key.N, key.Arithmetic, "dec w"));
        }
    }

    /// <summary>
    /// The largest plaintext bound ℓ_y this proof is sound for under <paramref name="key"/>:
    /// |N0| − ε − 4 bits, so that the extracted plaintext (|y| ≤ 2^(ℓ_y+ε+1)) stays below N0/2.
    /// </summary>
    public static int MaxPlaintextBits(PaillierPublicKey key, SecurityLevel level)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(level);
        return key.Bits - level.Epsilon - 4;
    }

    /// <summary>Proves the statement (Fig. 30, prover's steps).</summary>
    /// <param name="context">Session id and prover index.</param>
    /// <param name="statement">The statement.</param>
    /// <param name="witness">(y, ρ) with |y| ≤ 2^ℓ_y.</param>
    /// <param name="rng">Randomness for α, μ, ν, r.</param>
    /// <param name="proverKey">The secret key of <see cref="Statement.Key"/>, when the prover owns it (as in
    /// CGGMP21): A and w are then computed by CRT.</param>
    /// <exception cref="ArgumentOutOfRangeException">|y| &gt; 2^ℓ_y, or ℓ_y is not in [1, <see cref="MaxPlaintextBits"/>].</exception>
    /// <exception cref="ArgumentException"><paramref name="proverKey"/> is not the statement's key.</exception>
    public static Proof Prove(ProofContext context, Statement statement, Witness witness, RandomNumberGenerator rng, PaillierSecretKey? proverKey = null)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        if (!ParametersHold(statement))
        {
            throw new ArgumentOutOfRangeException(nameof(statement), "the plaintext bound ℓ_y must be in [1, |N0| − ε − 4]");
        }

        if (!IdentificationSupport.InSignedRange(witness.Y.Value, statement.PlaintextBits))
        {
            throw new ArgumentOutOfRangeException(nameof(witness), "the witness y is outside ±2^ℓ_y");
        }

        return ProveUnchecked(context, statement, witness, rng, proverKey);
    }

    /// <summary>Verifies a proof (Fig. 30 with the added range check); the first failing check is named.</summary>
    /// <param name="context">Session id and prover index.</param>
    /// <param name="statement">The statement.</param>
    /// <param name="proof">The proof.</param>
    /// <param name="verifierSecret">The verifier's own ring-Pedersen secret for
    /// <see cref="Statement.VerifierSetup"/>, if it has it: the check modulo N̂ then runs by CRT.</param>
    /// <exception cref="ArgumentException"><paramref name="verifierSecret"/> is for other parameters.</exception>
    public static Verdict Verify(ProofContext context, Statement statement, Proof proof, RingPedersenSecret? verifierSecret = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(proof);
        var setup = statement.VerifierSetup;
        if (verifierSecret is not null && !verifierSecret.Parameters.Equals(setup))
        {
            throw new ArgumentException("the ring-Pedersen secret does not match the statement's verifier setup", nameof(verifierSecret));
        }

        if (!ParametersHold(statement))
        {
            return Verdict.Fail(Checks.Parameters);
        }

        var key = statement.Key;
        var a = key.Arithmetic;
        var n0 = key.N;
        var n0Squared = key.NSquared;

        if (!IdentificationSupport.IsCiphertextOf(key, statement.C))
        {
            return Verdict.Fail(Checks.Statement);
        }

        if (proof.Gamma.Curve != statement.Curve)
        {
            return Verdict.Fail(Checks.Curve);
        }

        if (!IdentificationSupport.IsUnit(proof.A, n0Squared, n0, a) || !IdentificationSupport.IsUnit(proof.W, n0, n0, a)
            || !IdentificationSupport.IsUnit(proof.S, setup.N, setup.N, setup.Arithmetic) || !IdentificationSupport.IsUnit(proof.T, setup.N, setup.N, setup.Arithmetic))
        {
            return Verdict.Fail(Checks.Units);
        }

        if (!IdentificationSupport.InSignedRange(proof.Z1, statement.PlaintextBits + statement.Level.Epsilon))
        {
            return Verdict.Fail(Checks.RangeZ1);
        }

        var e = Challenge(context, statement, proof.S, proof.T, proof.A, proof.Gamma);

        // (1 + N0)^z1 · w^N0 = A · C^e (mod N0²), checked as (1 + N0)^z1 · w^N0 · C^(−e) = A
        var left1 = a.ModMul(key.PlaintextFactor(proof.Z1), a.MultiExp(proof.W, n0, statement.C.Value, -e, n0Squared), n0Squared);
        if (left1 != proof.A)
        {
            return Verdict.Fail(Checks.Equality1);
        }

        // z1 = γ + e·x (mod q)
        var curve = statement.Curve;
        if (!Scalar.FromValue(curve, proof.Z1).Equals(proof.Gamma + (Scalar.FromValue(curve, e) * statement.X)))
        {
            return Verdict.Fail(Checks.Equality2);
        }

        // s^z1 · t^z2 = T · S^e (mod N̂)
        var left3 = verifierSecret is not null ? verifierSecret.Commit(proof.Z1, proof.Z2) : setup.Commit(proof.Z1, proof.Z2);
        var right3 = setup.Arithmetic.ModMul(proof.T, setup.Arithmetic.ModPow(proof.S, e, setup.N), setup.N); // e is short: no CRT
        return Verdict.Require(left3 == right3, Checks.Equality3);
    }

    /// <summary>
    /// The prover's steps without the witness and parameter checks of <see cref="Prove"/>: tests use it
    /// to play a cheating prover whose plaintext is out of range.
    /// </summary>
    internal static Proof ProveUnchecked(ProofContext context, Statement statement, Witness witness, RandomNumberGenerator rng, PaillierSecretKey? proverKey)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(rng);
        if (proverKey is not null && !proverKey.PublicKey.Equals(statement.Key))
        {
            throw new ArgumentException("the prover's secret key does not match the statement's Paillier key", nameof(proverKey));
        }

        var key = statement.Key;
        var setup = statement.VerifierSetup;
        var plaintextBits = statement.PlaintextBits;
        var maskBits = plaintextBits + statement.Level.Epsilon;

        using var alpha = new SecretBigInteger(Sampling.Signed(rng, maskBits));
        using var mu = new SecretBigInteger(Sampling.Signed(rng, (BigInteger.One << plaintextBits) * setup.N));
        using var nu = new SecretBigInteger(Sampling.Signed(rng, (BigInteger.One << maskBits) * setup.N));
        using var r = new SecretBigInteger(key.SampleNonce(rng));

        var commitmentS = setup.SecretCommit(witness.Y.Value, plaintextBits, mu.Value, PaillierRangeMath.WithModulus(plaintextBits, setup));
        var commitmentT = setup.SecretCommit(alpha.Value, maskBits, nu.Value, PaillierRangeMath.WithModulus(maskBits, setup));
        var commitmentA = PaillierRangeMath.EncryptMask(key, proverKey, alpha.Value, r.Value);
        var gamma = Scalar.FromValue(statement.Curve, alpha.Value);

        var e = Challenge(context, statement, commitmentS, commitmentT, commitmentA, gamma);
        var z1 = alpha.Value + (e * witness.Y.Value);
        var z2 = nu.Value + (e * mu.Value);
        var w = PaillierRangeMath.NonceResponse(key, proverKey, r.Value, witness.Rho.Value, e);
        return new Proof(commitmentS, commitmentT, commitmentA, gamma, z1, z2, w);
    }

    private static bool ParametersHold(Statement statement) =>
        statement.PlaintextBits >= 1 && statement.PlaintextBits <= MaxPlaintextBits(statement.Key, statement.Level);

    private static BigInteger Challenge(ProofContext context, Statement statement, BigInteger commitmentS, BigInteger commitmentT, BigInteger commitmentA, Scalar gamma)
    {
        var setup = statement.VerifierSetup;
        using var transcript = context.Transcript("dec")
            .Append("level", statement.Level.Name)
            .Append("curve", statement.Curve.Name)
            .Append("plaintext bits", checked((ulong)statement.PlaintextBits))
            .Append("N0", statement.Key.N)
            .Append("C", statement.C.Value)
            .Append("x", statement.X)
            .Append("Nhat", setup.N)
            .Append("s", setup.S)
            .Append("t", setup.T)
            .Append("S", commitmentS)
            .Append("T", commitmentT)
            .Append("A", commitmentA)
            .Append("gamma", gamma);
        return transcript.Challenge().NextSigned(statement.Curve.Order);
    }
}
