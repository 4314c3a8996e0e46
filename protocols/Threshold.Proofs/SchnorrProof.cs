// Πsch: Schnorr proof of knowledge of x with X = g^x (CGGMP21, eprint 2021/060, Fig. 22), made
// non-interactive by Fiat–Shamir. The commit-first form (Commit, then Prove) lets the DKG publish A
// in its commitment round before the challenge exists.
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Curves;
using Threshold.Proofs.Encoding;
using Threshold.Secrets;

namespace Threshold.Proofs;

/// <summary>Πsch: knowledge of the discrete logarithm of a point (CGGMP21 Fig. 22).</summary>
public static class SchnorrProof
{
    /// <summary>Names of the checks <see cref="Verify"/> can fail.</summary>
    public static class Checks
    {
        /// <summary>g^z = A · X^e.</summary>
        public const string Equality = "sch.eq";

        /// <summary>The proof is for another curve than the statement.</summary>
        public const string Curve = "sch.curve";
    }

    /// <summary>Public statement: the point X = g^x.</summary>
    public sealed record Statement(Point X);

    /// <summary>Secret witness x; owned by the caller, who disposes it.</summary>
    public sealed record Witness(SecretScalar X);

    /// <summary>The proof (A, z).</summary>
    /// <param name="A">The commitment A = g^α.</param>
    /// <param name="Z">The response z = α + e·x mod q.</param>
    public sealed record Proof(Point A, Scalar Z)
    {
        /// <summary>Protobuf encoding.</summary>
        public byte[] Encode() => new Wire.SchnorrProof { A = WireCodec.Point(A), Z = WireCodec.Scalar(Z) }.ToByteArray();

        /// <summary>Strict decoding: A on the curve and not the identity, z canonical.</summary>
        /// <exception cref="DecodingException">Malformed or invalid values.</exception>
        public static Proof Decode(Curve curve, ReadOnlySpan<byte> encoded)
        {
            var message = WireCodec.Parse(Wire.SchnorrProof.Parser, encoded, "schnorr proof");
            return new Proof(WireCodec.DecodePoint(curve, message.A, "schnorr A"), WireCodec.DecodeScalar(curve, message.Z, "schnorr z"));
        }
    }

    /// <summary>
    /// The prover's first move, made before the challenge is known: secret α and public A = g^α.
    /// Single use: <see cref="Prove(ProofContext, Statement, Witness, Commitment)"/> consumes it.
    /// </summary>
    public sealed class Commitment : IDisposable
    {
        private SecretScalar? alpha;

        internal Commitment(SecretScalar alpha)
        {
            this.alpha = alpha;
            A = Point.MultiplyGenerator(alpha);
        }

        /// <summary>A = g^α, published (in the DKG, inside the round-1 hash commitment).</summary>
        public Point A { get; }

        internal SecretScalar Take()
        {
            var taken = alpha ?? throw new InvalidOperationException("this Schnorr commitment was already used");
            alpha = null;
            return taken;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            alpha?.Dispose();
            alpha = null;
        }

        /// <inheritdoc />
        public override string ToString() => $"SchnorrCommitment(A = {A})";
    }

    /// <summary>Samples α ← Z_q and A = g^α.</summary>
    public static Commitment Commit(Curve curve, RandomNumberGenerator rng) => new(SecretScalar.Random(curve, rng));

    /// <summary>Proves in one step (fresh commitment).</summary>
    public static Proof Prove(ProofContext context, Statement statement, Witness witness, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(statement);
        using var commitment = Commit(statement.X.Curve, rng);
        return Prove(context, statement, witness, commitment);
    }

    /// <summary>Completes a proof from an earlier commitment, which it consumes.</summary>
    /// <exception cref="InvalidOperationException">The commitment was already used.</exception>
    public static Proof Prove(ProofContext context, Statement statement, Witness witness, Commitment commitment)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(commitment);
        using var alpha = commitment.Take();
        var e = Challenge(context, statement, commitment.A);
        // z = α + e·x mod q in constant time (ScalarField); z itself is published.
        using var ex = witness.X.Multiply(e);
        using var z = alpha.Add(ex);
        return new Proof(commitment.A, z.Reveal());
    }

    /// <summary>Checks g^z = A · X^e for e derived from the context, statement and A.</summary>
    public static Verdict Verify(ProofContext context, Statement statement, Proof proof)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(proof);
        if (proof.A.Curve != statement.X.Curve || proof.Z.Curve != statement.X.Curve)
        {
            return Verdict.Fail(Checks.Curve);
        }

        var e = Challenge(context, statement, proof.A);
        return Verdict.Require(Point.MultiplyGenerator(proof.Z).Equals(proof.A + (e * statement.X)), Checks.Equality);
    }

    private static Scalar Challenge(ProofContext context, Statement statement, Point a)
    {
        ArgumentNullException.ThrowIfNull(context);
        using var transcript = context.Transcript("sch").Append("X", statement.X).Append("A", a);
        return transcript.Challenge().NextScalar(statement.X.Curve);
    }
}
