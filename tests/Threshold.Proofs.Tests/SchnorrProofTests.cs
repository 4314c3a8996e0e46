using Threshold.Curves;
using Threshold.Randomness;
using Threshold.Secrets;

namespace Threshold.Proofs.Tests;

public sealed class SchnorrProofTests
{
    private static readonly ProofContext Context = new("session-1"u8.ToArray(), 1);

    public static TheoryData<string> Curves => ["secp256k1", "P-256"];

    private static (SchnorrProof.Statement Statement, SchnorrProof.Witness Witness) Instance(Curve curve, SeededRandom rng)
    {
        var x = SecretScalar.Random(curve, rng);
        return (new SchnorrProof.Statement(Point.MultiplyGenerator(x)), new SchnorrProof.Witness(x));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void HonestProofVerifies(string name)
    {
        var curve = Curve.FromName(name);
        var rng = new SeededRandom("sch " + name);
        var (statement, witness) = Instance(curve, rng);
        var proof = SchnorrProof.Prove(Context, statement, witness, rng);
        Assert.Equal(Verdict.Valid, SchnorrProof.Verify(Context, statement, proof));
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void CommitFirstFormVerifiesAndIsSingleUse(string name)
    {
        var curve = Curve.FromName(name);
        var rng = new SeededRandom("sch commit " + name);
        var (statement, witness) = Instance(curve, rng);
        using var commitment = SchnorrProof.Commit(curve, rng);
        var proof = SchnorrProof.Prove(Context, statement, witness, commitment);
        Assert.Equal(commitment.A, proof.A);
        Assert.True(SchnorrProof.Verify(Context, statement, proof).IsValid);
        Assert.Throws<InvalidOperationException>(() => SchnorrProof.Prove(Context, statement, witness, commitment));
    }

    [Fact]
    public void TamperedResponseFailsTheEquality()
    {
        var rng = new SeededRandom("sch z");
        var (statement, witness) = Instance(Curve.Secp256k1, rng);
        var proof = SchnorrProof.Prove(Context, statement, witness, rng);
        var tampered = proof with { Z = proof.Z + Scalar.One(Curve.Secp256k1) };
        Assert.Equal(SchnorrProof.Checks.Equality, SchnorrProof.Verify(Context, statement, tampered).FailedCheck);
    }

    [Fact]
    public void TamperedCommitmentFailsTheEquality()
    {
        var rng = new SeededRandom("sch A");
        var (statement, witness) = Instance(Curve.P256, rng);
        var proof = SchnorrProof.Prove(Context, statement, witness, rng);
        var tampered = proof with { A = proof.A + Curve.P256.Generator };
        Assert.Equal(SchnorrProof.Checks.Equality, SchnorrProof.Verify(Context, statement, tampered).FailedCheck);
    }

    [Fact]
    public void ProofForAnotherStatementFails()
    {
        var rng = new SeededRandom("sch statement");
        var (statement, witness) = Instance(Curve.Secp256k1, rng);
        var proof = SchnorrProof.Prove(Context, statement, witness, rng);
        var other = new SchnorrProof.Statement(statement.X + Curve.Secp256k1.Generator);
        Assert.Equal(SchnorrProof.Checks.Equality, SchnorrProof.Verify(Context, other, proof).FailedCheck);
    }

    [Fact]
    public void ProofIsBoundToSessionAndProver()
    {
        var rng = new SeededRandom("sch context");
        var (statement, witness) = Instance(Curve.Secp256k1, rng);
        var proof = SchnorrProof.Prove(Context, statement, witness, rng);
        Assert.False(SchnorrProof.Verify(new ProofContext("session-2"u8.ToArray(), 1), statement, proof).IsValid);
        Assert.False(SchnorrProof.Verify(new ProofContext("session-1"u8.ToArray(), 2), statement, proof).IsValid);
    }

    [Fact]
    public void ProofOfAnotherCurveIsRejected()
    {
        var rng = new SeededRandom("sch curves");
        var (statement, witness) = Instance(Curve.Secp256k1, rng);
        var (otherStatement, otherWitness) = Instance(Curve.P256, rng);
        var proof = SchnorrProof.Prove(Context, otherStatement, otherWitness, rng);
        Assert.Equal(SchnorrProof.Checks.Curve, SchnorrProof.Verify(Context, statement, proof).FailedCheck);
        witness.X.Dispose();
    }

    [Theory]
    [MemberData(nameof(Curves))]
    public void EncodingRoundTrips(string name)
    {
        var curve = Curve.FromName(name);
        var rng = new SeededRandom("sch wire " + name);
        var (statement, witness) = Instance(curve, rng);
        var proof = SchnorrProof.Prove(Context, statement, witness, rng);
        var decoded = SchnorrProof.Proof.Decode(curve, proof.Encode());
        Assert.Equal(proof, decoded);
        Assert.True(SchnorrProof.Verify(Context, statement, decoded).IsValid);
    }

    [Fact]
    public void MalformedEncodingsAreRejectedWithTypedErrors()
    {
        var curve = Curve.Secp256k1;
        var rng = new SeededRandom("sch malformed");
        var (statement, witness) = Instance(curve, rng);
        var encoded = SchnorrProof.Prove(Context, statement, witness, rng).Encode();

        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => SchnorrProof.Proof.Decode(curve, encoded.AsSpan(0, encoded.Length - 3))).Reason);
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => SchnorrProof.Proof.Decode(curve, [0xFF, 0xFF, 0xFF])).Reason);

        var message = Wire.SchnorrProof.Parser.ParseFrom(encoded);
        var offCurve = message.Clone();
        var a = new byte[33];
        a[0] = 0x02;
        a[^1] = 5; // x = 5: x³ + 7 is not a square mod p on secp256k1
        offCurve.A = Google.Protobuf.ByteString.CopyFrom(a);
        var error = Assert.Throws<DecodingException>(() => SchnorrProof.Proof.Decode(curve, Google.Protobuf.MessageExtensions.ToByteArray(offCurve)));
        Assert.Equal(DecodingError.NotOnCurve, error.Reason);

        var bigZ = message.Clone();
        bigZ.Z = Google.Protobuf.ByteString.CopyFrom(Enumerable.Repeat((byte)0xFF, 32).ToArray());
        Assert.Equal(DecodingError.NonCanonical, Assert.Throws<DecodingException>(() => SchnorrProof.Proof.Decode(curve, Google.Protobuf.MessageExtensions.ToByteArray(bigZ))).Reason);

        var longZ = message.Clone();
        longZ.Z = Google.Protobuf.ByteString.CopyFrom(new byte[33]);
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => SchnorrProof.Proof.Decode(curve, Google.Protobuf.MessageExtensions.ToByteArray(longZ))).Reason);
    }
}
