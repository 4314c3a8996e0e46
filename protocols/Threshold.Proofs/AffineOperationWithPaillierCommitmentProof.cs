// Πaff-p: Paillier affine operation with Paillier commitment in range (CGGMP21, eprint 2021/060,
// Appendix C, Fig. 26 in the revision whose numbering this project cites; the 2024 revision replaces
// it with the setup-less Πaff-g*), made non-interactive by Fiat–Shamir. It is Πaff-g (Fig. 15) with
// the multiplicative term committed by a Paillier ciphertext under the prover's key instead of a
// curve point, which is what the identification steps have: after a failed δ check in presigning,
// P_i shows that each D_{j,i} = (γ_i ⊙ K_j) ⊕ Enc_j(−β_{i,j}) used the γ_i inside its broadcast
// G_i = Enc_i(γ_i) and the −β_{i,j} inside F_{j,i}.
//
// Statement: the verifier's ring-Pedersen parameters (N̂, s, t), Paillier keys N0 and N1 (the
// prover's), ciphertexts C, D ∈ Z*_{N0²} and X, Y ∈ Z*_{N1²}, and the curve whose order q bounds the
// challenge. The prover knows x ∈ ±2^ℓ, y ∈ ±2^ℓ', ρ ∈ Z*_{N0}, ρ_x, ρ_y ∈ Z*_{N1} with
//     D = C^x · (1 + N0)^y · ρ^N0 mod N0²,  X = (1 + N1)^x · ρ_x^N1 mod N1²,  Y = (1 + N1)^y · ρ_y^N1 mod N1².
//
// Ranges: the same as Πaff-g (see AffineOperationWithGroupCommitmentProof):
//     α ← ±2^(ℓ+ε),  β ← ±2^(ℓ'+ε),  γ, δ ← ±2^(ℓ+ε)·N̂,  m, μ ← ±2^ℓ·N̂,  e ← ±q,
// accepting only z1 ∈ ±2^(ℓ+ε) and z2 ∈ ±2^(ℓ'+ε). With ℓ = 256, ℓ' = 1280, ε = 512 the responses
// hide their secret terms to 2^-256 and the challenge space of ≈ 2^257 values bounds a cheating
// prover's success near 2^-256 (strong RSA for N̂), below the 2^-112 / 2^-128 targets of both levels.
// Every modulus must have at least SecurityLevel.ModulusBits bits.
//
// As in Πaff-g, Verify checks group membership of every element before the equations (C, D, A in
// Z*_{N0²}; X, Y, B_x, B_y in Z*_{N1²}; E, S, F, T in Z*_{N̂}; w in Z*_{N0}; w_x, w_y in Z*_{N1}), the
// challenge binds the session, prover, level, setup, keys, curve and statement, the prover refuses an
// out-of-range witness, and every exponentiation with a secret exponent is constant-time in it.
//
// Speed: the prover owns N1 (B_x, B_y, w_x, w_y by CRT when Prove is given the key). The verifier runs
// N̂ by CRT when given its ring-Pedersen secret, and N0 when it happens to own N0 (the identification
// proof for D_{j,i} verified by P_j).
using System.Numerics;
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Secrets;
using static Threshold.Proofs.AffineOperationShared;

namespace Threshold.Proofs;

/// <summary>
/// Πaff-p: D is an affine operation x ⊙ C ⊕ Enc(y) on C with x the plaintext of X and y the plaintext
/// of Y, both in range (CGGMP21 Appendix C, Fig. 26).
/// </summary>
public static class AffineOperationWithPaillierCommitmentProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail, in the order it runs them.</summary>
    public static class Checks
    {
        /// <summary>N̂, N0 or N1 is shorter than the security level's modulus.</summary>
        public const string Modulus = "affp.modulus";

        /// <summary>C ∉ Z*_{N0²}.</summary>
        public const string GroupC = "affp.group.C";

        /// <summary>D ∉ Z*_{N0²}.</summary>
        public const string GroupD = "affp.group.D";

        /// <summary>X ∉ Z*_{N1²}.</summary>
        public const string GroupX = "affp.group.X";

        /// <summary>Y ∉ Z*_{N1²}.</summary>
        public const string GroupY = "affp.group.Y";

        /// <summary>A ∉ Z*_{N0²}.</summary>
        public const string GroupA = "affp.group.A";

        /// <summary>B_x ∉ Z*_{N1²}.</summary>
        public const string GroupBx = "affp.group.Bx";

        /// <summary>B_y ∉ Z*_{N1²}.</summary>
        public const string GroupBy = "affp.group.By";

        /// <summary>E ∉ Z*_{N̂}.</summary>
        public const string GroupE = "affp.group.E";

        /// <summary>S ∉ Z*_{N̂}.</summary>
        public const string GroupS = "affp.group.S";

        /// <summary>F ∉ Z*_{N̂}.</summary>
        public const string GroupF = "affp.group.F";

        /// <summary>T ∉ Z*_{N̂}.</summary>
        public const string GroupT = "affp.group.T";

        /// <summary>w ∉ Z*_{N0}.</summary>
        public const string GroupW = "affp.group.w";

        /// <summary>w_x ∉ Z*_{N1}.</summary>
        public const string GroupWx = "affp.group.wx";

        /// <summary>w_y ∉ Z*_{N1}.</summary>
        public const string GroupWy = "affp.group.wy";

        /// <summary>z1 ∉ ±2^(ℓ+ε) (range check on z1).</summary>
        public const string RangeZ1 = "affp.range.z1";

        /// <summary>z2 ∉ ±2^(ℓ'+ε) (range check on z2).</summary>
        public const string RangeZ2 = "affp.range.z2";

        /// <summary>C^z1 · (1 + N0)^z2 · w^N0 = A · D^e mod N0² (first equality).</summary>
        public const string Equality1 = "affp.eq1";

        /// <summary>(1 + N1)^z1 · w_x^N1 = B_x · X^e mod N1² (second equality).</summary>
        public const string Equality2 = "affp.eq2";

        /// <summary>(1 + N1)^z2 · w_y^N1 = B_y · Y^e mod N1² (third equality).</summary>
        public const string Equality3 = "affp.eq3";

        /// <summary>s^z1 · t^z3 = E · S^e mod N̂ (fourth equality).</summary>
        public const string Equality4 = "affp.eq4";

        /// <summary>s^z2 · t^z4 = F · T^e mod N̂ (fifth equality).</summary>
        public const string Equality5 = "affp.eq5";
    }

    /// <summary>The public statement (N̂, s, t; N0, N1; C, D, X, Y) at a security level and curve.</summary>
    /// <param name="Level">The security level L: ranges ℓ, ℓ', ε and the modulus length.</param>
    /// <param name="Curve">The curve whose order q bounds the challenge e ∈ ±q.</param>
    /// <param name="Setup">The verifier's ring-Pedersen parameters (N̂, s, t).</param>
    /// <param name="N0">The Paillier key of C and D (K_j's owner in presigning).</param>
    /// <param name="N1">The prover's Paillier key; X and Y are its ciphertexts.</param>
    /// <param name="C">The ciphertext the operation starts from (K_j).</param>
    /// <param name="D">D = C^x · Enc_N0(y; ρ), the result of the affine operation (D_{j,i}).</param>
    /// <param name="X">X = Enc_N1(x; ρ_x), the Paillier commitment to the multiplicative term (G_i).</param>
    /// <param name="Y">Y = Enc_N1(y; ρ_y), the prover's encryption of the additive term (F_{j,i}).</param>
    public sealed record Statement(
        SecurityLevel Level,
        Curve Curve,
        RingPedersenParameters Setup,
        PaillierPublicKey N0,
        PaillierPublicKey N1,
        PaillierCiphertext C,
        PaillierCiphertext D,
        PaillierCiphertext X,
        PaillierCiphertext Y);

    /// <summary>The secret witness (x, y, ρ, ρ_x, ρ_y); owned by the caller, who disposes it.</summary>
    /// <param name="X">x ∈ ±2^ℓ, the multiplicative term (γ_i).</param>
    /// <param name="Y">y ∈ ±2^ℓ', the additive term (−β_{i,j}).</param>
    /// <param name="Rho">ρ ∈ Z*_{N0}, the nonce of Enc_N0(y) inside D.</param>
    /// <param name="RhoX">ρ_x ∈ Z*_{N1}, the nonce of X.</param>
    /// <param name="RhoY">ρ_y ∈ Z*_{N1}, the nonce of Y.</param>
    public sealed record Witness(SecretBigInteger X, SecretBigInteger Y, SecretBigInteger Rho, SecretBigInteger RhoX, SecretBigInteger RhoY);

    /// <summary>The proof: first message (A, B_x, B_y, E, S, F, T) and response (z1, z2, z3, z4, w, w_x, w_y).</summary>
    /// <param name="A">A = C^α · (1 + N0)^β · r^N0 mod N0².</param>
    /// <param name="Bx">B_x = (1 + N1)^α · r_x^N1 mod N1².</param>
    /// <param name="By">B_y = (1 + N1)^β · r_y^N1 mod N1².</param>
    /// <param name="E">E = s^α · t^γ mod N̂.</param>
    /// <param name="S">S = s^x · t^m mod N̂.</param>
    /// <param name="F">F = s^β · t^δ mod N̂.</param>
    /// <param name="T">T = s^y · t^μ mod N̂.</param>
    /// <param name="Z1">z1 = α + e·x.</param>
    /// <param name="Z2">z2 = β + e·y.</param>
    /// <param name="Z3">z3 = γ + e·m.</param>
    /// <param name="Z4">z4 = δ + e·μ.</param>
    /// <param name="W">w = r · ρ^e mod N0.</param>
    /// <param name="Wx">w_x = r_x · ρ_x^e mod N1.</param>
    /// <param name="Wy">w_y = r_y · ρ_y^e mod N1.</param>
    public sealed record Proof(
        BigInteger A,
        BigInteger Bx,
        BigInteger By,
        BigInteger E,
        BigInteger S,
        BigInteger F,
        BigInteger T,
        BigInteger Z1,
        BigInteger Z2,
        BigInteger Z3,
        BigInteger Z4,
        BigInteger W,
        BigInteger Wx,
        BigInteger Wy)
    {
        /// <summary>Protobuf encoding (<c>threshold.proofs.v1.AffineOperationWithPaillierCommitmentProof</c>).</summary>
        public byte[] Encode() => new Wire.AffineOperationWithPaillierCommitmentProof
        {
            A = WireCodec.Unsigned(A),
            BX = WireCodec.Unsigned(Bx),
            BY = WireCodec.Unsigned(By),
            E = WireCodec.Unsigned(E),
            S = WireCodec.Unsigned(S),
            F = WireCodec.Unsigned(F),
            T = WireCodec.Unsigned(T),
            Z1 = WireCodec.Signed(Z1),
            Z2 = WireCodec.Signed(Z2),
            Z3 = WireCodec.Signed(Z3),
            Z4 = WireCodec.Signed(Z4),
            W = WireCodec.Unsigned(W),
            WX = WireCodec.Unsigned(Wx),
            WY = WireCodec.Unsigned(Wy),
        }.ToByteArray();

        /// <summary>
        /// Strict decoding against <paramref name="statement"/>: A ∈ Z*_{N0²}; B_x, B_y ∈ Z*_{N1²}; E, S, F, T
        /// ∈ Z*_{N̂}; w ∈ Z*_{N0}; w_x, w_y ∈ Z*_{N1}; z1, z2, z3, z4 canonical and no longer than any honest
        /// response can be.
        /// </summary>
        /// <exception cref="DecodingException">Malformed, out of range, or not a unit.</exception>
        public static Proof Decode(Statement statement, ReadOnlySpan<byte> encoded)
        {
            ArgumentNullException.ThrowIfNull(statement);
            var message = WireCodec.Parse(Wire.AffineOperationWithPaillierCommitmentProof.Parser, encoded, "affp proof");
            var level = statement.Level;
            var setup = statement.Setup;
            var wideBits = level.Ell + level.Epsilon + 2 + (int)setup.N.GetBitLength();
            return new Proof(
                DecodeCiphertext(statement.N0, message.A, "affp A"),
                DecodeCiphertext(statement.N1, message.BX, "affp B_x"),
                DecodeCiphertext(statement.N1, message.BY, "affp B_y"),
                WireCodec.DecodeUnit(message.E, setup.N, setup.Arithmetic, "affp E"),
                WireCodec.DecodeUnit(message.S, setup.N, setup.Arithmetic, "affp S"),
                WireCodec.DecodeUnit(message.F, setup.N, setup.Arithmetic, "affp F"),
                WireCodec.DecodeUnit(message.T, setup.N, setup.Arithmetic, "affp T"),
                WireCodec.DecodeSigned(message.Z1, level.Ell + level.Epsilon + 1, "affp z1"),
                WireCodec.DecodeSigned(message.Z2, level.EllPrime + level.Epsilon + 1, "affp z2"),
                WireCodec.DecodeSigned(message.Z3, wideBits, "affp z3"),
                WireCodec.DecodeSigned(message.Z4, wideBits, "affp z4"),
                WireCodec.DecodeUnit(message.W, statement.N0.N, statement.N0.Arithmetic, "affp w"),
                WireCodec.DecodeUnit(message.WX, statement.N1.N, statement.N1.Arithmetic, "affp w_x"),
                WireCodec.DecodeUnit(message.WY, statement.N1.N, statement.N1.Arithmetic, "affp w_y"));
        }

        private static BigInteger DecodeCiphertext(PaillierPublicKey key, ByteString encoded, string field) =>
            key.Validate(WireCodec.DecodeUnsigned(encoded, key.NSquared, field), field).Value;
    }

    /// <summary>
    /// Proves the statement. Pass the prover's own Paillier key (the secret of N1) to compute B_x, B_y,
    /// w_x and w_y by CRT.
    /// </summary>
    /// <exception cref="ArgumentException">x or y is out of range, or <paramref name="proverKey"/> is not N1's key.</exception>
    public static Proof Prove(ProofContext context, Statement statement, Witness witness, RandomNumberGenerator rng, PaillierSecretKey? proverKey = null)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        if (!WithinBits(witness.X.Value, statement.Level.Ell) || !WithinBits(witness.Y.Value, statement.Level.EllPrime))
        {
            throw new ArgumentException("the witness is outside the ranges the statement allows (x ∈ ±2^ℓ, y ∈ ±2^ℓ')", nameof(witness));
        }

        return ProveUnchecked(context, statement, witness, rng, proverKey);
    }

    /// <summary>
    /// Checks the proof against the statement and names the first failed check. Pass the verifier's
    /// ring-Pedersen secret (of N̂) and, when the verifier owns N0, its Paillier key, to run those
    /// moduli by CRT; the verdict is the same either way.
    /// </summary>
    /// <exception cref="ArgumentException">A secret does not belong to the statement's N̂ or N0.</exception>
    public static Verdict Verify(
        ProofContext context,
        Statement statement,
        Proof proof,
        RingPedersenSecret? verifierSetup = null,
        PaillierSecretKey? verifierKey = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(proof);
        RequireOwnership(statement.Setup, verifierSetup, nameof(verifierSetup));
        RequireOwnership(statement.N0, verifierKey, nameof(verifierKey));
        return FirstFailure(MembershipChecks(statement, proof))
            .Then(() => FirstFailure(RangeChecks(statement, proof)))
            .Then(() => FirstFailure(EqualityChecks(context, statement, proof, verifierSetup, verifierKey)));
    }

    /// <summary>
    /// Every failing check, not just the first: the failed membership checks if any (the equations are
    /// not evaluated on non-members), else the failed range checks and equalities together. Tests use
    /// it to show that a tampered value breaks exactly one check.
    /// </summary>
    internal static IReadOnlyList<string> FailedChecks(ProofContext context, Statement statement, Proof proof, RingPedersenSecret? verifierSetup = null, PaillierSecretKey? verifierKey = null)
    {
        var membership = AllFailures(MembershipChecks(statement, proof));
        return membership.Count > 0
            ? membership
            : [.. AllFailures(RangeChecks(statement, proof)), .. AllFailures(EqualityChecks(context, statement, proof, verifierSetup, verifierKey))];
    }

    /// <summary>The prover without the witness range check: tests use it to play a cheating prover.</summary>
    internal static Proof ProveUnchecked(ProofContext context, Statement statement, Witness witness, RandomNumberGenerator rng, PaillierSecretKey? proverKey)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(rng);
        RequireOwnership(statement.N1, proverKey, nameof(proverKey));

        var n1 = statement.N1;
        var x = witness.X.Value;
        var y = witness.Y.Value;
        using var masks = AffineMasks.Sample(statement.Level, statement.Setup, statement.N0, n1, rng);
        using var rX = new SecretBigInteger(n1.SampleNonce(rng));
        var (bigA, by, bigE, bigS, bigF, bigT) = FirstMessage(statement.Level, statement.Setup, statement.N0, n1, statement.C, x, y, masks, proverKey);
        var bx = PaillierRangeMath.EncryptMask(n1, proverKey, masks.Alpha.Value, rX.Value);

        var e = Challenge(context, statement, bigA, bx, by, bigE, bigS, bigF, bigT);
        var (z1, z2, z3, z4, w, wy) = Responses(masks, x, y, e, statement.N0, n1, witness.Rho.Value, witness.RhoY.Value, proverKey);
        var wx = PaillierRangeMath.NonceResponse(n1, proverKey, rX.Value, witness.RhoX.Value, e);
        return new Proof(bigA, bx, by, bigE, bigS, bigF, bigT, z1, z2, z3, z4, w, wx, wy);
    }

    /// <summary>Moduli and group membership of every element, in order.</summary>
    private static IEnumerable<(string Check, Func<bool> Holds)> MembershipChecks(Statement statement, Proof proof)
    {
        var setup = statement.Setup;
        var n0 = statement.N0;
        var n1 = statement.N1;
        var nHat = setup.N;
        var a = setup.Arithmetic;
        yield return (Checks.Modulus, () => ModuliFit(statement.Level, nHat, n0.N, n1.N));
        yield return (Checks.GroupC, () => IsCiphertext(n0, statement.C.Value));
        yield return (Checks.GroupD, () => IsCiphertext(n0, statement.D.Value));
        yield return (Checks.GroupX, () => IsCiphertext(n1, statement.X.Value));
        yield return (Checks.GroupY, () => IsCiphertext(n1, statement.Y.Value));
        yield return (Checks.GroupA, () => IsCiphertext(n0, proof.A));
        yield return (Checks.GroupBx, () => IsCiphertext(n1, proof.Bx));
        yield return (Checks.GroupBy, () => IsCiphertext(n1, proof.By));
        yield return (Checks.GroupE, () => IsUnit(proof.E, nHat, a));
        yield return (Checks.GroupS, () => IsUnit(proof.S, nHat, a));
        yield return (Checks.GroupF, () => IsUnit(proof.F, nHat, a));
        yield return (Checks.GroupT, () => IsUnit(proof.T, nHat, a));
        yield return (Checks.GroupW, () => IsUnit(proof.W, n0.N, n0.Arithmetic));
        yield return (Checks.GroupWx, () => IsUnit(proof.Wx, n1.N, n1.Arithmetic));
        yield return (Checks.GroupWy, () => IsUnit(proof.Wy, n1.N, n1.Arithmetic));
    }

    /// <summary>z1 ∈ ±2^(ℓ+ε) and z2 ∈ ±2^(ℓ'+ε).</summary>
    private static IEnumerable<(string Check, Func<bool> Holds)> RangeChecks(Statement statement, Proof proof)
    {
        var level = statement.Level;
        yield return (Checks.RangeZ1, () => WithinBits(proof.Z1, level.Ell + level.Epsilon));
        yield return (Checks.RangeZ2, () => WithinBits(proof.Z2, level.EllPrime + level.Epsilon));
    }

    /// <summary>The five equalities under the challenge e (run only on members of their groups).</summary>
    private static IEnumerable<(string Check, Func<bool> Holds)> EqualityChecks(
        ProofContext context,
        Statement statement,
        Proof proof,
        RingPedersenSecret? verifierSetup,
        PaillierSecretKey? verifierKey)
    {
        var setup = statement.Setup;
        var e = Challenge(context, statement, proof.A, proof.Bx, proof.By, proof.E, proof.S, proof.F, proof.T);
        yield return (Checks.Equality1, () => AffineEquality(statement.N0, verifierKey, statement.C.Value, statement.D.Value, proof.A, proof.Z1, proof.Z2, proof.W, e));
        yield return (Checks.Equality2, () => PaillierRangeMath.EncryptionHolds(statement.N1, proof.Z1, proof.Wx, proof.Bx, statement.X.Value, e));
        yield return (Checks.Equality3, () => PaillierRangeMath.EncryptionHolds(statement.N1, proof.Z2, proof.Wy, proof.By, statement.Y.Value, e));
        yield return (Checks.Equality4, () => CommitmentEquality(setup, verifierSetup, proof.Z1, proof.Z3, proof.E, proof.S, e));
        yield return (Checks.Equality5, () => CommitmentEquality(setup, verifierSetup, proof.Z2, proof.Z4, proof.F, proof.T, e));
    }

    /// <summary>e ← ±q from the context, level, setup, statement and first message.</summary>
    private static BigInteger Challenge(ProofContext context, Statement statement, BigInteger a, BigInteger bx, BigInteger by, BigInteger e, BigInteger s, BigInteger f, BigInteger t)
    {
        using var transcript = context.Transcript("affp");
        AppendSetup(transcript, statement.Level, statement.Setup)
            .Append("curve", statement.Curve.Name)
            .Append("N0", statement.N0.N)
            .Append("N1", statement.N1.N)
            .Append("C", statement.C.Value)
            .Append("D", statement.D.Value)
            .Append("X", statement.X.Value)
            .Append("Y", statement.Y.Value)
            .Append("A", a)
            .Append("B_x", bx)
            .Append("B_y", by)
            .Append("E", e)
            .Append("S", s)
            .Append("F", f)
            .Append("T", t);
        return transcript.Challenge().NextSigned(statement.Curve.Order);
    }
}
