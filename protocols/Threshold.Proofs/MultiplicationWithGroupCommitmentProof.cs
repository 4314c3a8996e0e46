// Πmul*: multiplication, Paillier vs group (CGGMP21, eprint 2021/060, Appendix C.6, Fig. 31, in the
// revisions whose presigning runs Πenc, Πaff-g and Πlog*, the protocol this project implements),
// made non-interactive by Fiat–Shamir. The latest revision (2024-10-21) rebuilt presigning around
// ElGamal-style commitments with setup-free proofs and no longer uses Πmul*; this file follows the
// revision that matches our presigning.
//
// Relation. Public: the prover's Paillier key N0, ciphertexts C, D ∈ Z*_{N0²}, a point X of a curve of
// order q, and the verifier's ring-Pedersen parameters (N̂, s, t). Secret: x ∈ ±2^ℓ and ρ ∈ Z*_{N0} with
//     D = C^x · ρ^N0 (mod N0²)   and   X = g^x,
// so D encrypts dec(C) times the discrete logarithm of X. Soundness gives an x' ≡ log_g X (mod q) with
// |x'| ≤ 2^(ℓ+ε+1); that is all the identification step needs, since it reads D modulo q.
//
// Protocol (one run; challenge e ∈ [−q, q], soundness error about 1/(2q + 1) < 2^-256 under strong RSA
// for N̂, below the 2^-112 / 2^-128 of the two levels):
//     prover:   α ← ±2^(ℓ+ε), r ← Z*_N0, γ ← ±2^(ℓ+ε)·N̂, m ← ±2^ℓ·N̂;
//               A = C^α · r^N0 (mod N0²),  B_x = g^α,  E = s^α · t^γ,  S = s^x · t^m (mod N̂)
//     challenge e = H(ssid, prover, level, curve, N0, C, D, X, N̂, s, t, A, B_x, E, S) ∈ [−q, q]
//     prover:   z1 = α + e·x,  z2 = γ + e·m,  w = r · ρ^e mod N0
//     verifier: A ∈ Z*_{N0²}, w ∈ Z*_N0, E, S ∈ Z*_N̂;  z1 ∈ ±2^(ℓ+ε);
//               C^z1 · w^N0 = A · D^e (mod N0²),  g^z1 = B_x · X^e,  s^z1 · t^z2 = E · S^e (mod N̂)
// with ℓ = SecurityLevel.Ell (256) and ε = SecurityLevel.Epsilon (512) at both levels.
//
// Where this file differs from the figure, and why:
//  - The figure writes A = C^α · (1 + N0)^β · r^N0 with a β defined nowhere else, samples an unused r_y,
//    and names the group commitment both B and B_x; here A = C^α · r^N0 (the only form that passes the
//    first check) and the commitment is B_x. Other implementers read the figure the same way.
//  - The verifier also checks that A, w, E, S are units, that C and D lie in Z*_{N0²} of N0 (a
//    PaillierCiphertext does not record its key) and that B_x is on the statement's curve.
//  - The challenge hashes the session id and prover index (ProofContext) with the whole statement,
//    including the security level and the verifier's setup.
//
// Use in identification (signing, after a signature fails to verify). Each P_i shows that its σ_i was
// computed honestly. Πmul* is the part about its own product k_i·x_i: P_i computes
// Ĥ_i = K_i^(x_i) · ρ^(N_i) mod N_i², an encryption of k_i·x_i under its own key, and proves Πmul* to
// each verifier P_j with N0 = N_i, C = K_i, D = Ĥ_i, X = X_i (its public key share, witness x_i) and
// P_j's ring-Pedersen setup. Ĥ_i then enters the ciphertext whose mod-q decryption P_i shows with Πdec
// (see DecryptionModuloQProof), and the D̂_{j,i} it sent are re-proven with Πaff-g. The prover owns N_i
// (pass its PaillierSecretKey: CRT), the verifier owns N̂ (pass its RingPedersenSecret: CRT).
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
/// Πmul*: D = C^x · ρ^N0 for the discrete logarithm x of a public point X (CGGMP21 App. C.6, Fig. 31),
/// used to identify a cheater after a failed signature in signing.
/// </summary>
public static class MultiplicationWithGroupCommitmentProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail, in the order it runs them.</summary>
    public static class Checks
    {
        /// <summary>C or D is not in Z*_{N0²} of the statement's key.</summary>
        public const string Statement = "mulstar.statement";

        /// <summary>B_x is on another curve than X.</summary>
        public const string Curve = "mulstar.curve";

        /// <summary>A is not in Z*_{N0²}, w not in Z*_N0, or E or S not in Z*_N̂.</summary>
        public const string Units = "mulstar.units";

        /// <summary>Fig. 31 range check: z1 ∈ ±2^(ℓ+ε).</summary>
        public const string RangeZ1 = "mulstar.range.z1";

        /// <summary>Fig. 31, first check: C^z1 · w^N0 = A · D^e (mod N0²).</summary>
        public const string Equality1 = "mulstar.eq1";

        /// <summary>Fig. 31, second check: g^z1 = B_x · X^e.</summary>
        public const string Equality2 = "mulstar.eq2";

        /// <summary>Fig. 31, third check: s^z1 · t^z2 = E · S^e (mod N̂).</summary>
        public const string Equality3 = "mulstar.eq3";
    }

    /// <summary>The public statement.</summary>
    /// <param name="Key">The prover's Paillier key N0 (in signing, N_i).</param>
    /// <param name="C">The multiplied ciphertext (in signing, K_i).</param>
    /// <param name="D">D = C^x · ρ^N0 (in signing, Ĥ_i).</param>
    /// <param name="X">X = g^x (in signing, the public key share X_i); its curve is the statement's curve.</param>
    /// <param name="VerifierSetup">The verifier's ring-Pedersen parameters (N̂, s, t).</param>
    /// <param name="Level">The security level that fixes ℓ and ε.</param>
    public sealed record Statement(PaillierPublicKey Key, PaillierCiphertext C, PaillierCiphertext D, Point X, RingPedersenParameters VerifierSetup, SecurityLevel Level)
    {
        /// <summary>The curve of X.</summary>
        public Curve Curve => X.Curve;
    }

    /// <summary>The secret witness (x, ρ), held in wiped memory; the caller disposes it.</summary>
    public sealed class Witness : IDisposable
    {
        /// <summary>Copies the witness into secret holders.</summary>
        /// <param name="x">x with |x| ≤ 2^ℓ and X = g^x (a key share in [0, q) qualifies).</param>
        /// <param name="rho">ρ ∈ Z*_N0 with D = C^x · ρ^N0.</param>
        public Witness(BigInteger x, BigInteger rho)
        {
            X = new SecretBigInteger(x);
            Rho = new SecretBigInteger(rho);
        }

        /// <summary>x.</summary>
        public SecretBigInteger X { get; }

        /// <summary>ρ, the nonce of D.</summary>
        public SecretBigInteger Rho { get; }

        /// <summary>Rebuilds ρ from the prover's secret key: the nonce of D · C^(−x).</summary>
        /// <exception cref="ArgumentException">The key is not the statement's.</exception>
        public static Witness Recover(PaillierSecretKey key, Statement statement, BigInteger x)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(statement);
            RequireOwner(statement.Key, key);
            var n = key.N;
            var residue = key.PublicKey.Arithmetic.ModMul(statement.D.Value % n, key.PowModN(statement.C.Value % n, -x), n);
            using var rho = new SecretBigInteger(IdentificationSupport.RecoverNonce(key, residue));
            return new Witness(x, rho.Value);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            X.Dispose();
            Rho.Dispose();
        }

        /// <summary>Never shows the witness.</summary>
        public override string ToString() => "MultiplicationWithGroupCommitmentProof.Witness([secret])";
    }

    /// <summary>The proof (A, B_x, E, S, z1, z2, w) of Fig. 31.</summary>
    /// <param name="A">A = C^α · r^N0 mod N0².</param>
    /// <param name="Bx">B_x = g^α.</param>
    /// <param name="E">E = s^α · t^γ mod N̂.</param>
    /// <param name="S">S = s^x · t^m mod N̂.</param>
    /// <param name="Z1">z1 = α + e·x.</param>
    /// <param name="Z2">z2 = γ + e·m.</param>
    /// <param name="W">w = r · ρ^e mod N0.</param>
    public sealed record Proof(BigInteger A, Point Bx, BigInteger E, BigInteger S, BigInteger Z1, BigInteger Z2, BigInteger W)
    {
        /// <summary>Protobuf encoding.</summary>
        public byte[] Encode() => new Wire.MultiplicationWithGroupCommitmentProof
        {
            A = WireCodec.Unsigned(A),
            BX = WireCodec.Point(Bx),
            E = WireCodec.Unsigned(E),
            S = WireCodec.Unsigned(S),
            Z1 = WireCodec.Signed(Z1),
            Z2 = WireCodec.Signed(Z2),
            W = WireCodec.Unsigned(W),
        }.ToByteArray();

        /// <summary>
        /// Strict decoding against the statement: A ∈ Z*_{N0²}, B_x on the curve and not the identity,
        /// E, S ∈ Z*_N̂, w ∈ Z*_N0, |z1| &lt; 2^(ℓ+ε+1) and |z2| &lt; 2^(ℓ+ε+1)·N̂ (what an honest prover can
        /// produce; <see cref="Verify"/> then applies the paper's z1 ∈ ±2^(ℓ+ε)).
        /// </summary>
        /// <exception cref="DecodingException">Malformed, out of range, off the curve, or not a unit.</exception>
        public static Proof Decode(Statement statement, ReadOnlySpan<byte> encoded)
        {
            ArgumentNullException.ThrowIfNull(statement);
            var key = statement.Key;
            var setup = statement.VerifierSetup;
            var (z1Bits, z2Bits) = ResponseBits(statement);
            var message = WireCodec.Parse(Wire.MultiplicationWithGroupCommitmentProof.Parser, encoded, "mulstar proof");
            return new Proof(
                WireCodec.DecodeUnit(message.A, key.NSquared, key.Arithmetic, "mulstar A"),
                WireCodec.DecodePoint(statement.Curve, message.BX, "mulstar B_x"),
                WireCodec.DecodeUnit(message.E, setup.N, setup.Arithmetic, "mulstar E"),
                WireCodec.DecodeUnit(message.S, setup.N, setup.Arithmetic, "mulstar S"),
                WireCodec.DecodeSigned(message.Z1, z1Bits, "mulstar z1"),
                WireCodec.DecodeSigned(message.Z2, z2Bits, "mulstar z2"),
                WireCodec.DecodeUnit(message.W, key.N, key.Arithmetic, "mulstar w"));
        }
    }

    /// <summary>Proves the statement (Fig. 31, prover's steps).</summary>
    /// <param name="context">Session id and prover index.</param>
    /// <param name="statement">The statement.</param>
    /// <param name="witness">(x, ρ) with |x| ≤ 2^ℓ.</param>
    /// <param name="rng">Randomness for α, r, γ, m.</param>
    /// <param name="proverKey">The secret key of <see cref="Statement.Key"/>, when the prover owns it (as in
    /// CGGMP21): the exponentiations modulo N0² then run by CRT.</param>
    /// <exception cref="ArgumentOutOfRangeException">|x| &gt; 2^ℓ.</exception>
    /// <exception cref="ArgumentException"><paramref name="proverKey"/> is not the statement's key.</exception>
    public static Proof Prove(ProofContext context, Statement statement, Witness witness, RandomNumberGenerator rng, PaillierSecretKey? proverKey = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(rng);
        RequireOwner(statement.Key, proverKey);
        var level = statement.Level;
        if (!IdentificationSupport.InSignedRange(witness.X.Value, level.Ell))
        {
            throw new ArgumentOutOfRangeException(nameof(witness), "the witness x is outside ±2^ℓ");
        }

        var key = statement.Key;
        var setup = statement.VerifierSetup;
        var a = key.Arithmetic;
        var maskBits = level.Ell + level.Epsilon;

        using var alpha = new SecretBigInteger(Sampling.Signed(rng, maskBits));
        using var r = new SecretBigInteger(key.SampleNonce(rng));
        using var gamma = new SecretBigInteger(Sampling.Signed(rng, (BigInteger.One << maskBits) * setup.N));
        using var m = new SecretBigInteger(Sampling.Signed(rng, (BigInteger.One << level.Ell) * setup.N));

        var commitmentA = a.ModMul(
            IdentificationSupport.SecretPowModNSquared(key, proverKey, statement.C.Value, alpha.Value, maskBits),
            PaillierRangeMath.EncryptMask(key, proverKey, BigInteger.Zero, r.Value),
            key.NSquared);
        using var alphaModQ = SecretScalar.FromValue(statement.Curve, alpha.Value);
        var bx = Point.MultiplyGenerator(alphaModQ);
        var commitmentE = setup.SecretCommit(alpha.Value, maskBits, gamma.Value, PaillierRangeMath.WithModulus(maskBits, setup));
        var commitmentS = setup.SecretCommit(witness.X.Value, level.Ell, m.Value, PaillierRangeMath.WithModulus(level.Ell, setup));

        var e = Challenge(context, statement, commitmentA, bx, commitmentE, commitmentS);
        var z1 = alpha.Value + (e * witness.X.Value);
        var z2 = gamma.Value + (e * m.Value);
        var w = PaillierRangeMath.NonceResponse(key, proverKey, r.Value, witness.Rho.Value, e);
        return new Proof(commitmentA, bx, commitmentE, commitmentS, z1, z2, w);
    }

    /// <summary>Verifies a proof (Fig. 31, verifier's steps); the first failing check is named.</summary>
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

        var key = statement.Key;
        var a = key.Arithmetic;
        var n0 = key.N;
        var n0Squared = key.NSquared;
        var level = statement.Level;

        if (!IdentificationSupport.IsCiphertextOf(key, statement.C) || !IdentificationSupport.IsCiphertextOf(key, statement.D))
        {
            return Verdict.Fail(Checks.Statement);
        }

        if (proof.Bx.Curve != statement.Curve)
        {
            return Verdict.Fail(Checks.Curve);
        }

        if (!IdentificationSupport.IsUnit(proof.A, n0Squared, n0, a) || !IdentificationSupport.IsUnit(proof.W, n0, n0, a)
            || !IdentificationSupport.IsUnit(proof.E, setup.N, setup.N, setup.Arithmetic) || !IdentificationSupport.IsUnit(proof.S, setup.N, setup.N, setup.Arithmetic))
        {
            return Verdict.Fail(Checks.Units);
        }

        if (!IdentificationSupport.InSignedRange(proof.Z1, level.Ell + level.Epsilon))
        {
            return Verdict.Fail(Checks.RangeZ1);
        }

        var e = Challenge(context, statement, proof.A, proof.Bx, proof.E, proof.S);

        // C^z1 · w^N0 = A · D^e (mod N0²)
        var left1 = a.MultiExp(statement.C.Value, proof.Z1, proof.W, n0, n0Squared);
        var right1 = a.ModMul(proof.A, a.ModPow(statement.D.Value, e, n0Squared), n0Squared);
        if (left1 != right1)
        {
            return Verdict.Fail(Checks.Equality1);
        }

        // g^z1 = B_x · X^e
        var curve = statement.Curve;
        if (!Point.MultiplyGenerator(Scalar.FromValue(curve, proof.Z1)).Equals(proof.Bx + (Scalar.FromValue(curve, e) * statement.X)))
        {
            return Verdict.Fail(Checks.Equality2);
        }

        // s^z1 · t^z2 = E · S^e (mod N̂)
        var left3 = verifierSecret is not null ? verifierSecret.Commit(proof.Z1, proof.Z2) : setup.Commit(proof.Z1, proof.Z2);
        var right3 = setup.Arithmetic.ModMul(proof.E, setup.Arithmetic.ModPow(proof.S, e, setup.N), setup.N); // e is short: no CRT
        return Verdict.Require(left3 == right3, Checks.Equality3);
    }

    /// <summary>Bit bounds of an honest prover's |z1| and |z2|, used by the decoder.</summary>
    private static (int Z1, int Z2) ResponseBits(Statement statement)
    {
        var maskBits = statement.Level.Ell + statement.Level.Epsilon;
        return (maskBits + 1, maskBits + 1 + (int)statement.VerifierSetup.N.GetBitLength());
    }

    private static BigInteger Challenge(ProofContext context, Statement statement, BigInteger commitmentA, Point bx, BigInteger commitmentE, BigInteger commitmentS)
    {
        var setup = statement.VerifierSetup;
        using var transcript = context.Transcript("mulstar")
            .Append("level", statement.Level.Name)
            .Append("curve", statement.Curve.Name)
            .Append("N0", statement.Key.N)
            .Append("C", statement.C.Value)
            .Append("D", statement.D.Value)
            .Append("X", statement.X)
            .Append("Nhat", setup.N)
            .Append("s", setup.S)
            .Append("t", setup.T)
            .Append("A", commitmentA)
            .Append("Bx", bx)
            .Append("E", commitmentE)
            .Append("S", commitmentS);
        return transcript.Challenge().NextSigned(statement.Curve.Order);
    }

    private static void RequireOwner(PaillierPublicKey key, PaillierSecretKey? owner)
    {
        if (owner is not null && !owner.PublicKey.Equals(key))
        {
            throw new ArgumentException("the prover's secret key does not match the statement's Paillier key", nameof(owner));
        }
    }
}
