// Πmul: Paillier multiplication (CGGMP21, eprint 2021/060, Appendix C.6, Fig. 29, in the revisions
// whose presigning runs Πenc, Πaff-g and Πlog*, the protocol this project implements), made
// non-interactive by Fiat–Shamir. The latest revision (2024-10-21) rebuilt presigning around
// ElGamal-style commitments with setup-free proofs and no longer uses Πmul; this file follows the
// revision that matches our presigning.
//
// Relation. Public: the prover's Paillier key N and ciphertexts X, Y, C ∈ Z*_{N²}. Secret: x, ρ, ρ_x with
//     X = (1 + N)^x · ρ_x^N   and   C = Y^x · ρ^N   (mod N²),
// so C encrypts dec(X) · dec(Y) mod N under N. No ring-Pedersen setup and no range: everything lives
// under the prover's own key.
//
// Protocol (one run; challenge e ∈ [−q, q] for the curve order q, so a cheating prover succeeds with
// probability about 1/(2q + 1) < 2^-256, far below the 2^-112 / 2^-128 the two levels ask for):
//     prover:   α ← Z_N, r, s ← Z*_N;   A = Y^α · r^N,   B = (1 + N)^α · s^N   (mod N²)
//     challenge e = H(ssid, prover, curve, N, X, Y, C, A, B) ∈ [−q, q]
//     prover:   t = α + e·x,  z = t mod N,  k = (t − z)/N;   u = r · ρ^e · Y^k,   v = s · ρ_x^e   (mod N)
//     verifier: A, B ∈ Z*_{N²};  u, v ∈ Z*_N;  z ∈ [0, N);
//               Y^z · u^N = A · C^e   and   (1 + N)^z · v^N = B · X^e   (mod N²)
//
// Where this file differs from the figure, and why:
//  - The figure's second check raises "c" to the N; the prover's response is v, so it is v^N (a typo
//    that other implementers report too).
//  - The figure sends z = α + e·x over the integers. Here z is reduced modulo N and the quotient k is
//    folded into u: Y^(z + kN) = Y^z · (Y^k)^N and (1 + N)^N = 1 (mod N²), so both checks are the
//    figure's, z is uniform in Z_N whatever the size of x (the figure hides e·x only when x is much
//    smaller than N), and the verifier can demand the canonical z ∈ [0, N).
//  - The verifier checks that A, B, u, v are units (u = A = 0 would satisfy the first equation) and,
//    because a PaillierCiphertext does not record its key, that X, Y, C are in Z*_{N²} of N.
//  - The challenge hashes the session id and prover index (ProofContext) with the whole statement.
//
// Use in identification (presigning, after a failed δ check). When δ·G ≠ Σ_j Δ_j, every P_i shows
// that its δ_i was computed honestly. Πmul is the part about its own product k_i·γ_i: P_i computes
// H_i = G_i^(k_i) · ρ^(N_i) mod N_i², an encryption of k_i·γ_i under its own key, and proves Πmul with
// N = N_i, X = K_i (with witness k_i and the nonce ρ_i of K_i), Y = G_i and C = H_i. H_i then enters the
// ciphertext whose mod-q decryption P_i shows with Πdec (see DecryptionModuloQProof); the D_{j,i} it
// sent are re-proven with Πaff-g. There is no verifier setup, so one proof serves every verifier. A party
// whose Πmul fails is the culprit. The prover owns N_i: pass its PaillierSecretKey for the CRT path, and
// Witness.Recover rebuilds x and both nonces from that key if the round-1 nonce is gone.
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
/// Πmul: a ciphertext C encrypts the product of the plaintexts of X and Y under the prover's Paillier
/// key (CGGMP21 App. C.6, Fig. 29), used to identify a cheater after a failed δ check in presigning.
/// </summary>
public static class PaillierMultiplicationProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail, in the order it runs them.</summary>
    public static class Checks
    {
        /// <summary>X, Y or C is not in Z*_{N²} of the statement's key.</summary>
        public const string Statement = "mul.statement";

        /// <summary>A or B is not in Z*_{N²}, or u or v is not in Z*_N.</summary>
        public const string Units = "mul.units";

        /// <summary>z is not in [0, N).</summary>
        public const string RangeZ = "mul.range.z";

        /// <summary>Fig. 29, first check: Y^z · u^N = A · C^e (mod N²).</summary>
        public const string Equality1 = "mul.eq1";

        /// <summary>Fig. 29, second check: (1 + N)^z · v^N = B · X^e (mod N²).</summary>
        public const string Equality2 = "mul.eq2";
    }

    /// <summary>The public statement.</summary>
    /// <param name="Key">The prover's Paillier key N (in presigning, N_i).</param>
    /// <param name="X">X = enc(x; ρ_x) (in presigning, K_i).</param>
    /// <param name="Y">The multiplied ciphertext (in presigning, G_i).</param>
    /// <param name="C">C = Y^x · ρ^N (in presigning, H_i).</param>
    /// <param name="Curve">The curve whose order q bounds the challenge e ∈ [−q, q].</param>
    public sealed record Statement(PaillierPublicKey Key, PaillierCiphertext X, PaillierCiphertext Y, PaillierCiphertext C, Curve Curve);

    /// <summary>The secret witness (x, ρ, ρ_x), held in wiped memory; the caller disposes it.</summary>
    public sealed class Witness : IDisposable
    {
        /// <summary>Copies the witness into secret holders.</summary>
        /// <param name="x">The plaintext x of X (any integer; it is used modulo N).</param>
        /// <param name="rho">ρ ∈ Z*_N with C = Y^x · ρ^N.</param>
        /// <param name="rhoX">ρ_x ∈ Z*_N with X = (1 + N)^x · ρ_x^N.</param>
        public Witness(BigInteger x, BigInteger rho, BigInteger rhoX)
        {
            X = new SecretBigInteger(x);
            Rho = new SecretBigInteger(rho);
            RhoX = new SecretBigInteger(rhoX);
        }

        /// <summary>x.</summary>
        public SecretBigInteger X { get; }

        /// <summary>ρ, the nonce of C.</summary>
        public SecretBigInteger Rho { get; }

        /// <summary>ρ_x, the nonce of X.</summary>
        public SecretBigInteger RhoX { get; }

        /// <summary>
        /// Rebuilds the witness of a true statement from the prover's secret key: x is the decryption
        /// of X, ρ_x the nonce of X, and ρ the nonce of C · Y^(−x).
        /// </summary>
        /// <exception cref="ArgumentException">The key is not the statement's.</exception>
        public static Witness Recover(PaillierSecretKey key, Statement statement)
        {
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(statement);
            RequireOwner(statement.Key, key);
            var n = key.N;
            var a = key.PublicKey.Arithmetic;
            using var x = new SecretBigInteger(key.DecryptSigned(statement.X));
            using var rhoX = new SecretBigInteger(IdentificationSupport.RecoverNonce(key, statement.X.Value));
            var residue = a.ModMul(statement.C.Value % n, key.PowModN(statement.Y.Value % n, -x.Value), n);
            using var rho = new SecretBigInteger(IdentificationSupport.RecoverNonce(key, residue));
            return new Witness(x.Value, rho.Value, rhoX.Value);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            X.Dispose();
            Rho.Dispose();
            RhoX.Dispose();
        }

        /// <summary>Never shows the witness.</summary>
        public override string ToString() => "PaillierMultiplicationProof.Witness([secret])";
    }

    /// <summary>The proof (A, B, z, u, v) of Fig. 29.</summary>
    /// <param name="A">A = Y^α · r^N mod N².</param>
    /// <param name="B">B = (1 + N)^α · s^N mod N².</param>
    /// <param name="Z">z = α + e·x mod N.</param>
    /// <param name="U">u = r · ρ^e · Y^k mod N.</param>
    /// <param name="V">v = s · ρ_x^e mod N.</param>
    public sealed record Proof(BigInteger A, BigInteger B, BigInteger Z, BigInteger U, BigInteger V)
    {
        /// <summary>Protobuf encoding.</summary>
        public byte[] Encode() => new Wire.PaillierMultiplicationProof
        {
            A = WireCodec.Unsigned(A),
            B = WireCodec.Unsigned(B),
            Z = WireCodec.Unsigned(Z),
            U = WireCodec.Unsigned(U),
            V = WireCodec.Unsigned(V),
        }.ToByteArray();

        /// <summary>Strict decoding against the statement's key: A, B ∈ Z*_{N²}, z ∈ [0, N), u, v ∈ Z*_N.</summary>
        /// <exception cref="DecodingException">Malformed, out of range, or not a unit.</exception>
        public static Proof Decode(Statement statement, ReadOnlySpan<byte> encoded)
        {
            ArgumentNullException.ThrowIfNull(statement);
            var key = statement.Key;
            var a = key.Arithmetic;
            var message = WireCodec.Parse(Wire.PaillierMultiplicationProof.Parser, encoded, "mul proof");
            return new Proof(
                WireCodec.DecodeUnit(message.A, key.NSquared, a, "mul A"),
                WireCodec.DecodeUnit(message.B, key.NSquared, a, "mul B"),
                WireCodec.DecodeUnsigned(message.Z, key.N, "mul z"),
                WireCodec.DecodeUnit(message.U, key.N, a, "mul u"),
                WireCodec.DecodeUnit(message.V, key.N, a, "mul v"));
        }
    }

    /// <summary>Proves the statement (Fig. 29, prover's steps).</summary>
    /// <param name="context">Session id and prover index.</param>
    /// <param name="statement">The statement.</param>
    /// <param name="witness">(x, ρ, ρ_x).</param>
    /// <param name="rng">Randomness for α, r, s.</param>
    /// <param name="proverKey">The secret key of <see cref="Statement.Key"/>, when the prover owns it (as in
    /// CGGMP21): the exponentiations then run by CRT.</param>
    /// <exception cref="ArgumentException"><paramref name="proverKey"/> is not the statement's key.</exception>
    public static Proof Prove(ProofContext context, Statement statement, Witness witness, RandomNumberGenerator rng, PaillierSecretKey? proverKey = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(rng);
        RequireOwner(statement.Key, proverKey);
        var key = statement.Key;
        var a = key.Arithmetic;
        var n = key.N;

        using var alpha = new SecretBigInteger(Sampling.Below(rng, n));
        using var r = new SecretBigInteger(key.SampleNonce(rng));
        using var s = new SecretBigInteger(key.SampleNonce(rng));
        var commitmentA = a.ModMul(
            IdentificationSupport.SecretPowModNSquared(key, proverKey, statement.Y.Value, alpha.Value),
            PaillierRangeMath.EncryptMask(key, proverKey, BigInteger.Zero, r.Value),
            key.NSquared);
        var commitmentB = PaillierRangeMath.EncryptMask(key, proverKey, alpha.Value, s.Value);

        var e = Challenge(context, statement, commitmentA, commitmentB);
        using var t = new SecretBigInteger(alpha.Value + (e * witness.X.Value));
        var z = Reduce(t.Value, n);
        using var k = new SecretBigInteger((t.Value - z) / n);
        var u = a.ModMul(
            PaillierRangeMath.NonceResponse(key, proverKey, r.Value, witness.Rho.Value, e),
            IdentificationSupport.SecretPowModN(key, proverKey, statement.Y.Value % n, k.Value),
            n);
        var v = PaillierRangeMath.NonceResponse(key, proverKey, s.Value, witness.RhoX.Value, e);
        return new Proof(commitmentA, commitmentB, z, u, v);
    }

    /// <summary>Verifies a proof (Fig. 29, verifier's steps); the first failing check is named.</summary>
    public static Verdict Verify(ProofContext context, Statement statement, Proof proof)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(proof);
        var key = statement.Key;
        var a = key.Arithmetic;
        var n = key.N;
        var n2 = key.NSquared;

        if (!IdentificationSupport.IsCiphertextOf(key, statement.X) || !IdentificationSupport.IsCiphertextOf(key, statement.Y) || !IdentificationSupport.IsCiphertextOf(key, statement.C))
        {
            return Verdict.Fail(Checks.Statement);
        }

        if (!IdentificationSupport.IsUnit(proof.A, n2, n, a) || !IdentificationSupport.IsUnit(proof.B, n2, n, a)
            || !IdentificationSupport.IsUnit(proof.U, n, n, a) || !IdentificationSupport.IsUnit(proof.V, n, n, a))
        {
            return Verdict.Fail(Checks.Units);
        }

        if (proof.Z.Sign < 0 || proof.Z >= n)
        {
            return Verdict.Fail(Checks.RangeZ);
        }

        var e = Challenge(context, statement, proof.A, proof.B);

        // Y^z · u^N = A · C^e (mod N²)
        var left1 = a.MultiExp(statement.Y.Value, proof.Z, proof.U, n, n2);
        var right1 = a.ModMul(proof.A, a.ModPow(statement.C.Value, e, n2), n2);
        if (left1 != right1)
        {
            return Verdict.Fail(Checks.Equality1);
        }

        // (1 + N)^z · v^N = B · X^e (mod N²), checked as (1 + N)^z · v^N · X^(−e) = B
        var left2 = a.ModMul(key.PlaintextFactor(proof.Z), a.MultiExp(proof.V, n, statement.X.Value, -e, n2), n2);
        return Verdict.Require(left2 == proof.B, Checks.Equality2);
    }

    private static BigInteger Challenge(ProofContext context, Statement statement, BigInteger commitmentA, BigInteger commitmentB)
    {
        using var transcript = context.Transcript("mul")
            .Append("curve", statement.Curve.Name)
            .Append("N", statement.Key.N)
            .Append("X", statement.X.Value)
            .Append("Y", statement.Y.Value)
            .Append("C", statement.C.Value)
            .Append("A", commitmentA)
            .Append("B", commitmentB);
        return transcript.Challenge().NextSigned(statement.Curve.Order);
    }

    private static BigInteger Reduce(BigInteger value, BigInteger modulus)
    {
        var r = value % modulus;
        return r.Sign < 0 ? r + modulus : r;
    }

    private static void RequireOwner(PaillierPublicKey key, PaillierSecretKey? owner)
    {
        if (owner is not null && !owner.PublicKey.Equals(key))
        {
            throw new ArgumentException("the prover's secret key does not match the statement's Paillier key", nameof(owner));
        }
    }
}
