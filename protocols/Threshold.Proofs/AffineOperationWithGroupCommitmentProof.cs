// Πaff-g: Paillier affine operation with group commitment in range (CGGMP21, eprint 2021/060, §6.2,
// Fig. 15 in the revision whose numbering this project cites; Fig. 25 in the 2024 revision, same
// protocol), made non-interactive by Fiat–Shamir.
//
// Statement: the verifier's ring-Pedersen parameters (N̂, s, t), Paillier keys N0 (the verifier's) and
// N1 (the prover's), ciphertexts C, D ∈ Z*_{N0²} and Y ∈ Z*_{N1²}, and a point X. The prover knows
// x ∈ ±2^ℓ, y ∈ ±2^ℓ', ρ ∈ Z*_{N0}, ρ_y ∈ Z*_{N1} with
//     D = C^x · (1 + N0)^y · ρ^N0 mod N0²,   Y = (1 + N1)^y · ρ_y^N1 mod N1²,   X = x·G.
// In presigning (Fig. 7) this is the MtA step: C = K_j, x = γ_i (or x_i), D = D_{j,i}, Y = F_{j,i}.
//
// Ranges. Revisions of the paper print these bounds with small differences; we follow the one
// consistent reading, the one the LFDT-Lockness/cggmp21 write-up (spec/main.tex) uses:
//     α ← ±2^(ℓ+ε),  β ← ±2^(ℓ'+ε),  γ, δ ← ±2^(ℓ+ε)·N̂,  m, μ ← ±2^ℓ·N̂,  e ← ±q (q the curve order),
// and the verifier accepts only z1 ∈ ±2^(ℓ+ε) and z2 ∈ ±2^(ℓ'+ε): z2 is checked against the range of
// y and β (ℓ'), never ℓ, and γ, δ carry the extra 2^ε that m, μ do not. With ℓ = 256, ℓ' = 1280,
// ε = 512 (SecurityLevel, both levels) an honest proof never leaves those ranges, each response hides
// its secret term to statistical distance 2^(ℓ−ε) = 2^-256, and the challenge space has 2q + 1 ≈ 2^257
// elements, so a prover without a witness succeeds with probability about 2^-256 (under strong RSA
// for N̂), far below the 2^-112 / 2^-128 the two levels target.
// Every modulus must have at least SecurityLevel.ModulusBits bits, which keeps 2^(ℓ'+ε+1) < N/2 so the
// range statements mean the same over the integers and modulo N.
//
// Where this file departs from the letter of the paper:
// * The sign of y. Fig. 7 of the paper computes D_{j,i} with −β but F_{j,i} = enc(+β), which no proof
//   of Fig. 15 can accept. We keep the figure's relation (D and Y carry the same y); presigning passes
//   y = −β_{i,j} and encrypts F_{j,i} = enc_i(−β_{i,j}), as the cggmp21 write-up does.
// * Group membership. The paper leaves it implicit; Verify checks C, D, A ∈ Z*_{N0²}, Y, B_y ∈ Z*_{N1²},
//   E, S, F, T ∈ Z*_{N̂} and w ∈ Z*_{N0}, w_y ∈ Z*_{N1} before any equation (without the unit test on w,
//   A = w = 0 satisfies the first equation for every D).
// * The challenge binds the session id and prover index (ProofContext), the security level, the
//   verifier's setup, both keys and the whole statement before the first message.
// * The prover refuses a witness outside x ∈ ±2^ℓ, y ∈ ±2^ℓ' instead of emitting a proof that would
//   leak how far outside it is.
//
// Side channels: every exponentiation with a secret exponent is constant-time in the exponent, as in
// Πenc and Πlog*: C^α mod N0² and the owner-side CRT operations use mpz_powm_sec, the ring-Pedersen
// commitments to x, y and the masks mod N̂ use RingPedersenParameters.SecretCommit (fixed-base tables
// read with mpn_sec_tabselect once warm): x is a key share or nonce share, reused across runs.
//
// Speed: the prover computes A and, beside it, B_y with the four commitments on two cores (Concurrently);
// its operations on its own key N1 (B_y, w_y) run by CRT when Prove is given that key;
// the verifier's operations on N0 and N̂ run by CRT when Verify is given its keys (in presigning the
// verifier always owns both), with products of powers in one MultiExp call.
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
/// Πaff-g: D is an affine operation x ⊙ C ⊕ Enc(y) on C with x the discrete logarithm of X and y the
/// plaintext of Y, both in range (CGGMP21 §6.2, Fig. 15).
/// </summary>
public static class AffineOperationWithGroupCommitmentProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail, in the order it runs them.</summary>
    public static class Checks
    {
        /// <summary>N̂, N0 or N1 is shorter than the security level's modulus.</summary>
        public const string Modulus = "affg.modulus";

        /// <summary>B_x is on another curve than X.</summary>
        public const string Curve = "affg.curve";

        /// <summary>C ∉ Z*_{N0²}.</summary>
        public const string GroupC = "affg.group.C";

        /// <summary>D ∉ Z*_{N0²}.</summary>
        public const string GroupD = "affg.group.D";

        /// <summary>Y ∉ Z*_{N1²}.</summary>
        public const string GroupY = "affg.group.Y";

        /// <summary>A ∉ Z*_{N0²}.</summary>
        public const string GroupA = "affg.group.A";

        /// <summary>B_y ∉ Z*_{N1²}.</summary>
        public const string GroupBy = "affg.group.By";

        /// <summary>E ∉ Z*_{N̂}.</summary>
        public const string GroupE = "affg.group.E";

        /// <summary>S ∉ Z*_{N̂}.</summary>
        public const string GroupS = "affg.group.S";

        /// <summary>F ∉ Z*_{N̂}.</summary>
        public const string GroupF = "affg.group.F";

        /// <summary>T ∉ Z*_{N̂}.</summary>
        public const string GroupT = "affg.group.T";

        /// <summary>w ∉ Z*_{N0}.</summary>
        public const string GroupW = "affg.group.w";

        /// <summary>w_y ∉ Z*_{N1}.</summary>
        public const string GroupWy = "affg.group.wy";

        /// <summary>z1 ∉ ±2^(ℓ+ε) (Fig. 15, range check on z1).</summary>
        public const string RangeZ1 = "affg.range.z1";

        /// <summary>z2 ∉ ±2^(ℓ'+ε) (Fig. 15, range check on z2).</summary>
        public const string RangeZ2 = "affg.range.z2";

        /// <summary>C^z1 · (1 + N0)^z2 · w^N0 = A · D^e mod N0² (Fig. 15, first equality).</summary>
        public const string Equality1 = "affg.eq1";

        /// <summary>z1·G = B_x + e·X (Fig. 15, second equality).</summary>
        public const string Equality2 = "affg.eq2";

        /// <summary>(1 + N1)^z2 · w_y^N1 = B_y · Y^e mod N1² (Fig. 15, third equality).</summary>
        public const string Equality3 = "affg.eq3";

        /// <summary>s^z1 · t^z3 = E · S^e mod N̂ (Fig. 15, fourth equality).</summary>
        public const string Equality4 = "affg.eq4";

        /// <summary>s^z2 · t^z4 = F · T^e mod N̂ (Fig. 15, fifth equality).</summary>
        public const string Equality5 = "affg.eq5";
    }

    /// <summary>The public statement (N̂, s, t; N0, N1; C, D, Y, X) of Fig. 15 at a security level.</summary>
    /// <param name="Level">The security level L: ranges ℓ, ℓ', ε and the modulus length.</param>
    /// <param name="Setup">The verifier's ring-Pedersen parameters (N̂, s, t).</param>
    /// <param name="N0">The verifier's Paillier key; C and D are its ciphertexts.</param>
    /// <param name="N1">The prover's Paillier key; Y is its ciphertext.</param>
    /// <param name="C">The verifier's ciphertext the operation starts from (K_j in presigning).</param>
    /// <param name="D">D = C^x · Enc_N0(y; ρ), the result of the affine operation.</param>
    /// <param name="Y">Y = Enc_N1(y; ρ_y), the prover's encryption of the additive term.</param>
    /// <param name="X">X = x·G, the group commitment to the multiplicative term; its curve gives q.</param>
    public sealed record Statement(
        SecurityLevel Level,
        RingPedersenParameters Setup,
        PaillierPublicKey N0,
        PaillierPublicKey N1,
        PaillierCiphertext C,
        PaillierCiphertext D,
        PaillierCiphertext Y,
        Point X)
    {
        /// <summary>The curve of X, whose order q bounds the challenge.</summary>
        public Curve Curve => X.Curve;
    }

    /// <summary>The secret witness (x, y, ρ, ρ_y); owned by the caller, who disposes it.</summary>
    /// <param name="X">x ∈ ±2^ℓ, the multiplicative term (γ_i or x_i as an integer in [0, q)).</param>
    /// <param name="Y">y ∈ ±2^ℓ', the additive term (−β_{i,j} in presigning).</param>
    /// <param name="Rho">ρ ∈ Z*_{N0}, the nonce of Enc_N0(y) inside D.</param>
    /// <param name="RhoY">ρ_y ∈ Z*_{N1}, the nonce of Y.</param>
    public sealed record Witness(SecretBigInteger X, SecretBigInteger Y, SecretBigInteger Rho, SecretBigInteger RhoY);

    /// <summary>The proof: first message (A, B_x, B_y, E, S, F, T) and response (z1, z2, z3, z4, w, w_y).</summary>
    /// <param name="A">A = C^α · (1 + N0)^β · r^N0 mod N0².</param>
    /// <param name="Bx">B_x = α·G.</param>
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
    /// <param name="Wy">w_y = r_y · ρ_y^e mod N1.</param>
    public sealed record Proof(
        BigInteger A,
        Point Bx,
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
        BigInteger Wy)
    {
        /// <summary>Protobuf encoding (<c>threshold.proofs.v1.AffineOperationWithGroupCommitmentProof</c>).</summary>
        public byte[] Encode() => new Wire.AffineOperationWithGroupCommitmentProof
        {
            A = WireCodec.Unsigned(A),
            BX = WireCodec.Point(Bx),
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
            WY = WireCodec.Unsigned(Wy),
        }.ToByteArray();

        /// <summary>
        /// Strict decoding against <paramref name="statement"/>: A ∈ Z*_{N0²}, B_y ∈ Z*_{N1²}; E, S, F, T ∈
        /// Z*_{N̂}; w ∈ Z*_{N0}, w_y ∈ Z*_{N1}; B_x on the statement's curve and not the identity; z1, z2,
        /// z3, z4 canonical and no longer than any honest response can be.
        /// </summary>
        /// <exception cref="DecodingException">Malformed, out of range, not a unit, or not on the curve.</exception>
        public static Proof Decode(Statement statement, ReadOnlySpan<byte> encoded)
        {
            ArgumentNullException.ThrowIfNull(statement);
            var message = WireCodec.Parse(Wire.AffineOperationWithGroupCommitmentProof.Parser, encoded, "affg proof");
            var level = statement.Level;
            var setup = statement.Setup;
            var wideBits = level.Ell + level.Epsilon + 2 + (int)setup.N.GetBitLength();
            return new Proof(
                DecodeCiphertext(statement.N0, message.A, "affg A"),
                WireCodec.DecodePoint(statement.Curve, message.BX, "affg B_x"),
                DecodeCiphertext(statement.N1, message.BY, "affg B_y"),
                WireCodec.DecodeUnit(message.E, setup.N, setup.Arithmetic, "affg E"),
                WireCodec.DecodeUnit(message.S, setup.N, setup.Arithmetic, "affg S"),
                WireCodec.DecodeUnit(message.F, setup.N, setup.Arithmetic, "affg F"),
                WireCodec.DecodeUnit(message.T, setup.N, setup.Arithmetic, "affg T"),
                WireCodec.DecodeSigned(message.Z1, level.Ell + level.Epsilon + 1, "affg z1"),
                WireCodec.DecodeSigned(message.Z2, level.EllPrime + level.Epsilon + 1, "affg z2"),
                WireCodec.DecodeSigned(message.Z3, wideBits, "affg z3"),
                WireCodec.DecodeSigned(message.Z4, wideBits, "affg z4"),
                WireCodec.DecodeUnit(message.W, statement.N0.N, statement.N0.Arithmetic, "affg w"),
                WireCodec.DecodeUnit(message.WY, statement.N1.N, statement.N1.Arithmetic, "affg w_y"));
        }

        private static BigInteger DecodeCiphertext(PaillierPublicKey key, ByteString encoded, string field) =>
            key.Validate(WireCodec.DecodeUnsigned(encoded, key.NSquared, field), field).Value;
    }

    /// <summary>
    /// Proves the statement (Fig. 15, prover's steps). Pass the prover's own Paillier key (the secret of
    /// N1) to compute B_y and w_y by CRT.
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
    /// Checks the proof against the statement (Fig. 15, verifier's steps) and names the first failed
    /// check. Pass the verifier's ring-Pedersen secret (of N̂) and Paillier key (of N0) to run the
    /// equations over those moduli by CRT; the verdict is the same either way.
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
            .Then(() => Concurrently.FirstFailure(EqualityChecks(context, statement, proof, verifierSetup, verifierKey)));
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

        var x = witness.X.Value;
        var y = witness.Y.Value;
        using var masks = AffineMasks.Sample(statement.Level, statement.Setup, statement.N0, statement.N1, rng);
        var (bigA, by, bigE, bigS, bigF, bigT) = FirstMessage(statement.Level, statement.Setup, statement.N0, statement.N1, statement.C, x, y, masks, proverKey);
        using var alphaModQ = SecretScalar.FromValue(statement.Curve, masks.Alpha.Value);
        var bx = Point.MultiplyGenerator(alphaModQ);

        var e = Challenge(context, statement, bigA, bx, by, bigE, bigS, bigF, bigT);
        var (z1, z2, z3, z4, w, wy) = Responses(masks, x, y, e, statement.N0, statement.N1, witness.Rho.Value, witness.RhoY.Value, proverKey);
        return new Proof(bigA, bx, by, bigE, bigS, bigF, bigT, z1, z2, z3, z4, w, wy);
    }

    /// <summary>Moduli, curve and group membership of every element, in order.</summary>
    private static IEnumerable<(string Check, Func<bool> Holds)> MembershipChecks(Statement statement, Proof proof)
    {
        var level = statement.Level;
        var setup = statement.Setup;
        var n0 = statement.N0;
        var n1 = statement.N1;
        var nHat = setup.N;
        var a = setup.Arithmetic;
        yield return (Checks.Modulus, () => ModuliFit(level, nHat, n0.N, n1.N));
        yield return (Checks.Curve, () => proof.Bx.Curve == statement.Curve);
        yield return (Checks.GroupC, () => IsCiphertext(n0, statement.C.Value));
        yield return (Checks.GroupD, () => IsCiphertext(n0, statement.D.Value));
        yield return (Checks.GroupY, () => IsCiphertext(n1, statement.Y.Value));
        yield return (Checks.GroupA, () => IsCiphertext(n0, proof.A));
        yield return (Checks.GroupBy, () => IsCiphertext(n1, proof.By));
        yield return (Checks.GroupE, () => IsUnit(proof.E, nHat, a));
        yield return (Checks.GroupS, () => IsUnit(proof.S, nHat, a));
        yield return (Checks.GroupF, () => IsUnit(proof.F, nHat, a));
        yield return (Checks.GroupT, () => IsUnit(proof.T, nHat, a));
        yield return (Checks.GroupW, () => IsUnit(proof.W, n0.N, n0.Arithmetic));
        yield return (Checks.GroupWy, () => IsUnit(proof.Wy, n1.N, n1.Arithmetic));
    }

    /// <summary>z1 ∈ ±2^(ℓ+ε) and z2 ∈ ±2^(ℓ'+ε).</summary>
    private static IEnumerable<(string Check, Func<bool> Holds)> RangeChecks(Statement statement, Proof proof)
    {
        var level = statement.Level;
        yield return (Checks.RangeZ1, () => WithinBits(proof.Z1, level.Ell + level.Epsilon));
        yield return (Checks.RangeZ2, () => WithinBits(proof.Z2, level.EllPrime + level.Epsilon));
    }

    /// <summary>The five equalities of Fig. 15 under the challenge e (run only on members of their groups).</summary>
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
        yield return (Checks.Equality2, () => SecondEquality(statement, proof, e));
        yield return (Checks.Equality3, () => PaillierRangeMath.EncryptionHolds(statement.N1, proof.Z2, proof.Wy, proof.By, statement.Y.Value, e));
        yield return (Checks.Equality4, () => CommitmentEquality(setup, verifierSetup, proof.Z1, proof.Z3, proof.E, proof.S, e));
        yield return (Checks.Equality5, () => CommitmentEquality(setup, verifierSetup, proof.Z2, proof.Z4, proof.F, proof.T, e));
    }

    /// <summary>z1·G = B_x + e·X.</summary>
    private static bool SecondEquality(Statement statement, Proof proof, BigInteger e)
    {
        var curve = statement.Curve;
        return Point.MultiplyGenerator(Scalar.FromValue(curve, proof.Z1)).Equals(proof.Bx + (Scalar.FromValue(curve, e) * statement.X));
    }

    /// <summary>e ← ±q from the context, level, setup, statement and first message (Fig. 15, non-interactive).</summary>
    private static BigInteger Challenge(ProofContext context, Statement statement, BigInteger a, Point bx, BigInteger by, BigInteger e, BigInteger s, BigInteger f, BigInteger t)
    {
        using var transcript = context.Transcript("affg");
        AppendSetup(transcript, statement.Level, statement.Setup)
            .Append("N0", statement.N0.N)
            .Append("N1", statement.N1.N)
            .Append("C", statement.C.Value)
            .Append("D", statement.D.Value)
            .Append("Y", statement.Y.Value)
            .Append("X", statement.X)
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
