using System.Collections.Concurrent;
using System.Numerics;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Testing;
using Prm = Threshold.Proofs.RingPedersenParametersProof;

namespace Threshold.Proofs.Tests;

public sealed class RingPedersenParametersProofTests
{
    private static readonly ProofContext Context = new("aux-info-1"u8.ToArray(), 3);
    private static readonly ConcurrentDictionary<string, Lazy<(Prm.Statement Statement, Prm.Proof Proof)>> Honest = new();

    public static TheoryData<string> Levels => ["2048", "3072"];

    /// <summary>One honest proof per level on ring-Pedersen setup 0, made once per test run.</summary>
    private static (Prm.Statement Statement, Prm.Proof Proof) HonestProof(string levelName) =>
        Honest.GetOrAdd(levelName, name => new Lazy<(Prm.Statement, Prm.Proof)>(() =>
        {
            var level = SecurityLevel.FromName(name);
            var setup = TestSetups.RingPedersen(level, 0);
            var statement = new Prm.Statement(setup.Parameters, level);
            return (statement, Prm.Prove(Context, statement, new Prm.Witness(setup), new SeededRandom("prm " + name), degreeOfParallelism: 2));
        })).Value;

    private static Prm.Proof WithA(Prm.Proof proof, int index, BigInteger value)
    {
        var a = proof.A.ToArray();
        a[index] = value;
        return proof with { A = a };
    }

    private static Prm.Proof WithZ(Prm.Proof proof, int index, BigInteger value)
    {
        var z = proof.Z.ToArray();
        z[index] = value;
        return proof with { Z = z };
    }

    private static string? FailedCheck(Prm.Statement statement, Prm.Proof proof) => Prm.Verify(Context, statement, proof).FailedCheck;

    [Theory]
    [MemberData(nameof(Levels))]
    public void HonestProofVerifies(string level)
    {
        var (statement, proof) = HonestProof(level);
        Assert.Equal(statement.Level.Repetitions, proof.A.Count);
        Assert.Equal(Verdict.Valid, Prm.Verify(Context, statement, proof));
        Assert.Equal(Verdict.Valid, Prm.Verify(Context, statement, proof, degreeOfParallelism: 2));
    }

    [Fact]
    public void ChallengesAreBalancedBits()
    {
        var (statement, proof) = HonestProof("2048");
        var ones = Prm.Challenges(Context, statement, proof.A).Count(e => e);
        Assert.InRange(ones, 20, 60); // 80 fair bits: outside this range with probability below 2^-10
    }

    [Fact]
    public void WrongCountsFailTheCountCheck()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Prm.Checks.Count, FailedCheck(statement, proof with { A = proof.A.Skip(1).ToArray() }));
        Assert.Equal(Prm.Checks.Count, FailedCheck(statement, proof with { Z = [.. proof.Z, BigInteger.One] }));
        Assert.Equal(Prm.Checks.Count, FailedCheck(statement with { Level = SecurityLevel.Bits3072 }, proof));
    }

    [Fact]
    public void CommitmentOutsideZNFailsTheRangeCheck()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Prm.Checks.RangeA, FailedCheck(statement, WithA(proof, 0, BigInteger.Zero)));
        Assert.Equal(Prm.Checks.RangeA, FailedCheck(statement, WithA(proof, 79, proof.A[79] + statement.Setup.N)));
    }

    [Fact]
    public void ResponseOutsideZNFailsTheRangeCheck()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Prm.Checks.RangeZ, FailedCheck(statement, WithZ(proof, 5, -proof.Z[5])));
        Assert.Equal(Prm.Checks.RangeZ, FailedCheck(statement, WithZ(proof, 6, statement.Setup.N)));
    }

    [Fact]
    public void WrongResponseOrCommitmentFailsTheEquality()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Prm.Checks.Equality, FailedCheck(statement, WithZ(proof, 11, proof.Z[11] + 1)));

        // Changing A_i changes the challenges too; any change must fail.
        Assert.Equal(Prm.Checks.Equality, FailedCheck(statement, WithA(proof, 0, proof.A[0] * 2 % statement.Setup.N)));
        Assert.Equal(Prm.Checks.Equality, Prm.Verify(Context, statement, WithZ(proof, 40, proof.Z[40] + 1), degreeOfParallelism: 4).FailedCheck);
    }

    [Fact]
    public void ProverWithoutTheTrapdoorIsCaught()
    {
        // A cheater that does not know λ can answer e_i = 0 only: it commits A_i = t^a_i and hopes.
        var level = SecurityLevel.Bits2048;
        var (statement, _) = HonestProof("2048");
        var setup = statement.Setup;
        var rng = new SeededRandom("prm cheater");
        var masks = Enumerable.Range(0, level.Repetitions).Select(_ => Sampling.Below(rng, setup.N)).ToArray();
        var commitments = masks.Select(a => setup.Arithmetic.ModPow(setup.T, a, setup.N)).ToArray();
        Assert.Equal(Prm.Checks.Equality, FailedCheck(statement, new Prm.Proof(commitments, masks)));
    }

    [Fact]
    public void ProofIsBoundToSessionProverAndParameters()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.False(Prm.Verify(new ProofContext("aux-info-2"u8.ToArray(), 3), statement, proof).IsValid);
        Assert.False(Prm.Verify(new ProofContext("aux-info-1"u8.ToArray(), 4), statement, proof).IsValid);
        var other = new Prm.Statement(TestSetups.RingPedersen(SecurityLevel.Bits2048, 1).Parameters, SecurityLevel.Bits2048);
        Assert.False(Prm.Verify(Context, other, proof).IsValid);

        // Same N̂ and t, s replaced: the transcript differs and the relation no longer holds.
        var setup = statement.Setup;
        var swapped = new RingPedersenParameters(setup.N, setup.T, setup.S, setup.Arithmetic);
        Assert.Equal(Prm.Checks.Equality, FailedCheck(statement with { Setup = swapped }, proof));
    }

    [Fact]
    public void ProverRefusesAWitnessForOtherParameters()
    {
        var level = SecurityLevel.Bits2048;
        var statement = new Prm.Statement(TestSetups.RingPedersen(level, 0).Parameters, level);
        var witness = new Prm.Witness(TestSetups.RingPedersen(level, 1));
        Assert.Throws<ArgumentException>(() => Prm.Prove(Context, statement, witness, new SeededRandom("x")));
        Assert.Equal("RingPedersenParametersProof.Witness([secret])", witness.ToString());
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void EncodingRoundTrips(string level)
    {
        var (statement, proof) = HonestProof(level);
        var encoded = proof.Encode();
        Assert.InRange(encoded.Length, 1, Prm.Proof.MaxEncodedLength(statement));
        Assert.Equal(proof, Prm.Proof.Decode(statement, encoded));
    }

    [Fact]
    public void MalformedEncodingsAreRejectedWithTypedErrors()
    {
        var (statement, proof) = HonestProof("2048");
        var encoded = proof.Encode();
        var n = statement.Setup.N;
        var (p, _) = TestPrimes.Pair(SecurityLevel.Bits2048, 0); // a factor of setup 0's modulus

        DecodingError Reason(byte[] bytes) => Assert.Throws<DecodingException>(() => Prm.Proof.Decode(statement, bytes)).Reason;
        byte[] Edit(Action<Wire.RingPedersenParametersProof> change)
        {
            var message = Wire.RingPedersenParametersProof.Parser.ParseFrom(encoded);
            change(message);
            return message.ToByteArray();
        }

        ByteString Bytes(BigInteger value) => ByteString.CopyFrom(value.ToByteArray(isUnsigned: true, isBigEndian: true));

        Assert.Equal(DecodingError.Malformed, Reason(encoded[..^7]));
        Assert.Equal(DecodingError.Malformed, Reason([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]));
        Assert.Equal(DecodingError.OutOfRange, Reason(new byte[Prm.Proof.MaxEncodedLength(statement) + 1]));
        Assert.Equal(DecodingError.Malformed, Reason(Edit(m => m.A.RemoveAt(3))));
        Assert.Equal(DecodingError.Malformed, Reason(Edit(m => m.Z.RemoveAt(79))));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.Z.Add(m.Z[0])))); // longer than any honest proof
        Assert.Equal(DecodingError.NotCoprime, Reason(Edit(m => m.A[2] = Bytes(p))));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.A[2] = Bytes(n))));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.A[2] = ByteString.Empty)));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.Z[8] = Bytes(n + 5))));
        Assert.Equal(DecodingError.Malformed, Reason(Edit(m => m.Z[8] = ByteString.CopyFrom([0, .. m.Z[8].ToByteArray()]))));
    }
}
