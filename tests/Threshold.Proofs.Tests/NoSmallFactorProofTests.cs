using System.Collections.Concurrent;
using System.Numerics;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Proofs.Encoding;
using Threshold.Randomness;
using Threshold.Testing;
using Fac = Threshold.Proofs.NoSmallFactorProof;

namespace Threshold.Proofs.Tests;

public sealed class NoSmallFactorProofTests
{
    private static readonly ProofContext Context = new("aux-info-1"u8.ToArray(), 0);
    private static readonly ConcurrentDictionary<string, Lazy<(Fac.Statement Statement, Fac.Proof Proof)>> Honest = new();

    public static TheoryData<string> Levels => ["2048", "3072"];

    /// <summary>Verification with the public parameters and with the verifier's own secret (CRT).</summary>
    public static TheoryData<bool> Paths => [false, true];

    /// <summary>Key 0 proves under verifier 1's ring-Pedersen parameters; one proof per level per run.</summary>
    private static (Fac.Statement Statement, Fac.Proof Proof) HonestProof(string levelName) =>
        Honest.GetOrAdd(levelName, name => new Lazy<(Fac.Statement, Fac.Proof)>(() =>
        {
            var level = SecurityLevel.FromName(name);
            var key = TestPrimes.PaillierKey(level, 0);
            var statement = new Fac.Statement(key.PublicKey, TestSetups.RingPedersen(level, 1).Parameters, level);
            using var witness = Fac.Witness.From(key);
            return (statement, Fac.Prove(Context, statement, witness, new SeededRandom("fac " + name)));
        })).Value;

    private static RingPedersenSecret Verifier(SecurityLevel level) => TestSetups.RingPedersen(level, 1);

    private static string? FailedCheck(Fac.Statement statement, Fac.Proof proof, bool crt) =>
        Fac.Verify(Context, statement, proof, crt ? Verifier(statement.Level) : null).FailedCheck;

    [Theory]
    [MemberData(nameof(Levels))]
    public void HonestProofVerifiesWithAndWithoutTheVerifierSecret(string level)
    {
        var (statement, proof) = HonestProof(level);
        Assert.Equal(Verdict.Valid, Fac.Verify(Context, statement, proof));
        Assert.Equal(Verdict.Valid, Fac.Verify(Context, statement, proof, Verifier(statement.Level)));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void ResponsesStayInsideTheRange(string level)
    {
        var (statement, proof) = HonestProof(level);
        Assert.True(BigInteger.Abs(proof.Z1) <= statement.ResponseBound);
        Assert.True(BigInteger.Abs(proof.Z2) <= statement.ResponseBound);
        Assert.Equal(statement.Level.Ell + statement.Level.Epsilon + (statement.Level.ModulusBits / 2), (int)statement.ResponseBound.GetBitLength());
    }

    [Fact]
    public void ModulusOfAnotherLengthFailsTheSizeCheck()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Fac.Checks.ModulusSize, FailedCheck(statement with { Level = SecurityLevel.Bits3072 }, proof, crt: false));
        var oversized = statement with { Key = TestPrimes.PaillierKey(SecurityLevel.Bits3072, 0).PublicKey };
        Assert.Equal(Fac.Checks.ModulusSize, FailedCheck(oversized, proof, crt: false));
        Assert.Equal(Fac.Checks.ModulusSize, FailedCheck(statement with { Key = new PaillierPublicKey((BigInteger.One << 2045) + 1) }, proof, crt: false));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void CommitmentOutsideZStarFailsTheUnitCheck(bool crt)
    {
        var (statement, proof) = HonestProof("2048");
        var nHat = statement.Setup.N;
        var (pHat, _) = TestPrimes.Pair(SecurityLevel.Bits2048, 1); // a factor of the verifier's N̂
        Assert.Equal(Fac.Checks.Units, FailedCheck(statement, proof with { P = BigInteger.Zero }, crt));
        Assert.Equal(Fac.Checks.Units, FailedCheck(statement, proof with { Q = proof.Q + nHat }, crt));
        Assert.Equal(Fac.Checks.Units, FailedCheck(statement, proof with { A = pHat }, crt));
        Assert.Equal(Fac.Checks.Units, FailedCheck(statement, proof with { B = -proof.B }, crt));
        Assert.Equal(Fac.Checks.Units, FailedCheck(statement, proof with { T = pHat * 2 }, crt));
    }

    [Fact]
    public void ResponsesBeyondTheBoundFailTheRangeChecks()
    {
        var (statement, proof) = HonestProof("2048");
        var bound = statement.ResponseBound;
        Assert.Equal(Fac.Checks.RangeZ1, FailedCheck(statement, proof with { Z1 = bound + 1 }, crt: false));
        Assert.Equal(Fac.Checks.RangeZ1, FailedCheck(statement, proof with { Z1 = -bound - 1 }, crt: false));
        Assert.Equal(Fac.Checks.RangeZ2, FailedCheck(statement, proof with { Z2 = bound + 1 }, crt: false));
        Assert.Equal(Fac.Checks.Equality1, FailedCheck(statement, proof with { Z1 = bound }, crt: false)); // the bound itself is inside
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ModulusWithASmallFactorFailsTheRangeCheckWhileTheEqualitiesHold(bool crt)
    {
        // A cheater whose N = 3·M knows its factorisation and follows the protocol: every equality holds,
        // but e·M is far beyond 2^(ℓ+ε)·√N, so the response for the large factor leaves the range.
        var level = SecurityLevel.Bits2048;
        var rng = new SeededRandom("fac small factor");
        var m = Sampling.Bits(rng, 2046) | (BigInteger.One << 2045) | BigInteger.One;
        var key = new PaillierPublicKey(3 * m);
        var statement = new Fac.Statement(key, Verifier(level).Parameters, level);

        using (var small = new Fac.Witness(3, m))
        {
            var proof = Fac.Prove(Context, statement, small, rng);
            Assert.Equal(Fac.Checks.RangeZ2, FailedCheck(statement, proof, crt));
        }

        using (var swapped = new Fac.Witness(m, 3))
        {
            var proof = Fac.Prove(Context, statement, swapped, rng);
            Assert.Equal(Fac.Checks.RangeZ1, FailedCheck(statement, proof, crt));

            // Were the range not checked, everything else would pass: the equalities hold.
            var lenient = statement with { Level = level with { Epsilon = level.Epsilon + 2100 } };
            var lenientProof = Fac.Prove(Context, lenient, swapped, rng);
            Assert.Equal(Verdict.Valid, Fac.Verify(Context, lenient, lenientProof, crt ? Verifier(level) : null));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void TamperedResponsesFailTheirEqualities(bool crt)
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Fac.Checks.Equality1, FailedCheck(statement, proof with { W1 = proof.W1 + 1 }, crt));
        Assert.Equal(Fac.Checks.Equality1, FailedCheck(statement, proof with { Z1 = proof.Z1 - 1 }, crt));
        Assert.Equal(Fac.Checks.Equality2, FailedCheck(statement, proof with { W2 = proof.W2 - 1 }, crt));
        Assert.Equal(Fac.Checks.Equality2, FailedCheck(statement, proof with { Z2 = proof.Z2 + 1 }, crt));
        Assert.Equal(Fac.Checks.Equality3, FailedCheck(statement, proof with { V = proof.V + 1 }, crt));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void TamperedCommitmentsFailVerification(bool crt)
    {
        // Commitments feed the challenge, so any change moves e and breaks the first equality they enter.
        var (statement, proof) = HonestProof("2048");
        var nHat = statement.Setup.N;
        Assert.Equal(Fac.Checks.Equality1, FailedCheck(statement, proof with { A = proof.A * 2 % nHat }, crt));
        Assert.Equal(Fac.Checks.Equality1, FailedCheck(statement, proof with { P = proof.P * 2 % nHat }, crt));
        Assert.Equal(Fac.Checks.Equality1, FailedCheck(statement, proof with { Sigma = proof.Sigma + 1 }, crt));
        Assert.Equal(Fac.Checks.Equality1, FailedCheck(statement, proof with { T = proof.T * 2 % nHat }, crt));
    }

    [Fact]
    public void ProofIsBoundToSessionProverVerifierAndModulus()
    {
        var (statement, proof) = HonestProof("2048");
        var level = SecurityLevel.Bits2048;
        Assert.False(Fac.Verify(new ProofContext("aux-info-2"u8.ToArray(), 0), statement, proof).IsValid);
        Assert.False(Fac.Verify(new ProofContext("aux-info-1"u8.ToArray(), 1), statement, proof).IsValid);
        Assert.False(Fac.Verify(Context, statement with { Setup = TestSetups.RingPedersen(level, 2).Parameters }, proof).IsValid);
        Assert.False(Fac.Verify(Context, statement with { Key = TestPrimes.PaillierKey(level, 3).PublicKey }, proof).IsValid);
    }

    [Fact]
    public void ArgumentsOfTheWrongPartiesAreRefused()
    {
        var (statement, proof) = HonestProof("2048");
        var level = SecurityLevel.Bits2048;
        Assert.Throws<ArgumentException>(() => Fac.Verify(Context, statement, proof, TestSetups.RingPedersen(level, 0)));
        using var wrong = Fac.Witness.From(TestPrimes.PaillierKey(level, 2));
        Assert.Throws<ArgumentException>(() => Fac.Prove(Context, statement, wrong, new SeededRandom("x")));
        Assert.Equal("NoSmallFactorProof.Witness([secret])", wrong.ToString());
    }

    [Fact]
    public void WitnessIsWipedOnDispose()
    {
        var (statement, _) = HonestProof("2048");
        var witness = Fac.Witness.From(TestPrimes.PaillierKey(SecurityLevel.Bits2048, 0));
        witness.Dispose();
        Assert.Throws<ObjectDisposedException>(() => witness.Q.Value);
        Assert.Throws<ObjectDisposedException>(() => Fac.Prove(Context, statement, witness, new SeededRandom("x")));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void EncodingRoundTrips(string level)
    {
        var (statement, proof) = HonestProof(level);
        Assert.Equal(proof, Fac.Proof.Decode(statement, proof.Encode()));
    }

    [Fact]
    public void MalformedEncodingsAreRejectedWithTypedErrors()
    {
        var (statement, proof) = HonestProof("2048");
        var encoded = proof.Encode();
        var nHat = statement.Setup.N;
        var (pHat, _) = TestPrimes.Pair(SecurityLevel.Bits2048, 1);

        DecodingError Reason(byte[] bytes) => Assert.Throws<DecodingException>(() => Fac.Proof.Decode(statement, bytes)).Reason;
        byte[] Edit(Action<Wire.NoSmallFactorProof> change)
        {
            var message = Wire.NoSmallFactorProof.Parser.ParseFrom(encoded);
            change(message);
            return message.ToByteArray();
        }

        ByteString Bytes(BigInteger value) => ByteString.CopyFrom(value.ToByteArray(isUnsigned: true, isBigEndian: true));

        Assert.Equal(DecodingError.Malformed, Reason(encoded[..^9]));
        Assert.Equal(DecodingError.OutOfRange, Reason(new byte[encoded.Length * 2]));
        Assert.Equal(DecodingError.NotCoprime, Reason(Edit(m => m.P = Bytes(pHat))));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.T = Bytes(nHat))));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.A = ByteString.Empty)));
        Assert.Equal(DecodingError.Malformed, Reason(Edit(m => m.Sigma = ByteString.Empty)));
        Assert.Equal(DecodingError.Malformed, Reason(Edit(m => m.Z1 = ByteString.CopyFrom([2, .. m.Z1.ToByteArray()[1..]]))));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.Z2 = WireCodec.Signed(statement.ResponseBound << 2))));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.W1 = WireCodec.Signed(-(nHat << 800)))));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.V = WireCodec.Signed(nHat << 3000))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    public void IntegerSquareRootOfSmallValues(int n) =>
        Assert.Equal((int)Math.Floor(Math.Sqrt(n)), (int)Fac.IntegerSquareRoot(n));

    [Fact]
    public void IntegerSquareRootOfLargeValues()
    {
        var rng = new SeededRandom("isqrt");
        for (var i = 0; i < 50; i++)
        {
            var n = Sampling.Bits(rng, 64 + (i * 61));
            var root = Fac.IntegerSquareRoot(n);
            Assert.True(root * root <= n && (root + 1) * (root + 1) > n);
        }

        var (p, _) = TestPrimes.Pair(SecurityLevel.Bits2048, 0);
        Assert.Equal(p, Fac.IntegerSquareRoot(p * p));
        Assert.Equal(p - 1, Fac.IntegerSquareRoot((p * p) - 1));
    }
}
