using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Testing;
using Mod = Threshold.Proofs.PaillierBlumModulusProof;

namespace Threshold.Proofs.Tests;

public sealed class PaillierBlumModulusProofTests
{
    private static readonly ProofContext Context = new("aux-info-1"u8.ToArray(), 2);
    private static readonly ConcurrentDictionary<string, Lazy<(Mod.Statement Statement, Mod.Proof Proof)>> Honest = new();

    /// <summary>A 2048-bit prime (made once with <c>openssl prime -generate -bits 2048</c>, checked with <c>openssl prime</c>).</summary>
    private static readonly BigInteger Prime2048 = BigInteger.Parse(
        "0FE94F2AF7A8DBD4821015DCFBAB685B4CA6363F3FCF5BD3DA2F4FF4D119659C952C996432594DA8E4E8E25D52111DF39BB118A39F0370227B93EDBE900838DC6" +
        "4092F9952C0CEDE301E68035ED2244D619FF8D73329EBC57A894BFE0E895FECA8356223BE8F535E946D168250A9B4B1643BE032F3EECCF9E24995EB4D85F1CCF4" +
        "942A142480E8B77D781EC892F88D2ED7DB232D5B20F08F7B29415B8D16D36AE24C081494E062BB41098162AA8BAC366C1C648F82DD0063ED3EA3E28DA3B424E43" +
        "31A6B910D5B3972614B4394FD2116E5D99774D51FEA9E64D0082291625C428CB5071DF4274D02B71EF7853341A93BCC3E0C269068E4726807AFF0F999D20EB",
        NumberStyles.AllowHexSpecifier,
        CultureInfo.InvariantCulture);

    /// <summary>Two 512-bit primes ≡ 3 (mod 4) (from <c>openssl prime -generate -bits 512</c>).</summary>
    private static readonly BigInteger[] Primes512 =
    [
        BigInteger.Parse("0f0e36f2824d18639a2ed41d4176d16d87d152d9549d17efe9a46c15c682ac10db7321ee5f7f9d95b7644174ad89ae1439da901639dd7b07fc44dab34a53b7b8f", NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
        BigInteger.Parse("0f9f0231cfa54560777f84540b85765a3af319d9902a87898b2cf22f7e85544b554ab35c20a7e537cd902f0874518d5be6c380c68f92b2cd90f64ff9f34b2974f", NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
    ];

    public static TheoryData<string> Levels => ["2048", "3072"];

    /// <summary>One honest proof per level, made once per test run (key 0 proves).</summary>
    private static (Mod.Statement Statement, Mod.Proof Proof) HonestProof(string levelName) =>
        Honest.GetOrAdd(levelName, name => new Lazy<(Mod.Statement, Mod.Proof)>(() =>
        {
            var level = SecurityLevel.FromName(name);
            var key = TestPrimes.PaillierKey(level, 0);
            var statement = Mod.Statement.For(key.PublicKey, level);
            using var witness = Mod.Witness.From(key);
            return (statement, Mod.Prove(Context, statement, witness, new SeededRandom("mod " + name), degreeOfParallelism: 2));
        })).Value;

    private static Mod.Proof WithRepetition(Mod.Proof proof, int index, Func<Mod.Repetition, Mod.Repetition> change)
    {
        var repetitions = proof.Repetitions.ToArray();
        repetitions[index] = change(repetitions[index]);
        return proof with { Repetitions = repetitions };
    }

    private static string? FailedCheck(Mod.Statement statement, Mod.Proof proof) => Mod.Verify(Context, statement, proof).FailedCheck;

    [Theory]
    [MemberData(nameof(Levels))]
    public void HonestProofVerifies(string level)
    {
        var (statement, proof) = HonestProof(level);
        Assert.Equal(statement.Level.Repetitions, proof.Repetitions.Count);
        Assert.Equal(Verdict.Valid, Mod.Verify(Context, statement, proof, degreeOfParallelism: 2));
    }

    [Fact]
    public void SequentialAndParallelProversAgree()
    {
        var level = SecurityLevel.Bits2048;
        var key = TestPrimes.PaillierKey(level, 0);
        var statement = Mod.Statement.For(key.PublicKey, level);
        using var witness = Mod.Witness.From(key);
        var sequential = Mod.Prove(Context, statement, witness, new SeededRandom("mod determinism"));
        var parallel = Mod.Prove(Context, statement, witness, new SeededRandom("mod determinism"), degreeOfParallelism: 4);
        Assert.Equal(sequential, parallel);
        Assert.True(Mod.Verify(Context, statement, sequential).IsValid);
    }

    [Fact]
    public void EvenOrNonPositiveModulusFailsTheOddCheck()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Mod.Checks.ModulusOdd, FailedCheck(statement with { N = statement.N + 1 }, proof));
        Assert.Equal(Mod.Checks.ModulusOdd, FailedCheck(statement with { N = BigInteger.Zero }, proof));
        Assert.Equal(Mod.Checks.ModulusOdd, FailedCheck(statement with { N = -statement.N }, proof));
    }

    [Fact]
    public void ModulusOfAnotherLengthFailsTheSizeCheck()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Mod.Checks.ModulusSize, FailedCheck(statement with { Level = SecurityLevel.Bits3072 }, proof));
        Assert.Equal(Mod.Checks.ModulusSize, FailedCheck(statement with { N = BigInteger.One }, proof));
        Assert.Equal(Mod.Checks.ModulusSize, FailedCheck(statement with { N = TestPrimes.PaillierKey(SecurityLevel.Bits3072, 0).N }, proof));
    }

    [Fact]
    public void PrimeModulusFailsTheCompositeCheck()
    {
        // A prime N would pass both equalities (every element has N-th and, for N ≡ 3 mod 4, fourth roots
        // up to sign), which is why the corrected figure rejects it first.
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(2048, Prime2048.GetBitLength());
        Assert.Equal(Mod.Checks.ModulusComposite, FailedCheck(statement with { N = Prime2048 }, proof));
    }

    [Fact]
    public void WrongRepetitionCountFailsTheCountCheck()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Mod.Checks.Count, FailedCheck(statement, proof with { Repetitions = proof.Repetitions.Skip(1).ToArray() }));
        Assert.Equal(Mod.Checks.Count, FailedCheck(statement, proof with { Repetitions = [.. proof.Repetitions, proof.Repetitions[0]] }));
    }

    [Fact]
    public void WOutsideZNFailsTheRangeCheck()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Mod.Checks.RangeW, FailedCheck(statement, proof with { W = proof.W + statement.N }));
        Assert.Equal(Mod.Checks.RangeW, FailedCheck(statement, proof with { W = BigInteger.Zero }));
    }

    [Fact]
    public void WWithJacobiSymbolOneFailsTheJacobiCheck()
    {
        var (statement, proof) = HonestProof("2048");
        var square = proof.W * proof.W % statement.N; // Jacobi symbol +1
        Assert.Equal(Mod.Checks.JacobiW, FailedCheck(statement, proof with { W = square }));
        Assert.Equal(Mod.Checks.JacobiW, FailedCheck(statement, proof with { W = statement.N - 1 })); // (−1/N) = +1
    }

    [Fact]
    public void ResponsesOutsideZNFailTheRangeChecks()
    {
        var (statement, proof) = HonestProof("2048");
        var n = statement.N;
        Assert.Equal(Mod.Checks.RangeX, FailedCheck(statement, WithRepetition(proof, 7, r => r with { X = r.X + n })));
        Assert.Equal(Mod.Checks.RangeX, FailedCheck(statement, WithRepetition(proof, 0, r => r with { X = BigInteger.Zero })));
        Assert.Equal(Mod.Checks.RangeZ, FailedCheck(statement, WithRepetition(proof, 79, r => r with { Z = r.Z + n })));
        Assert.Equal(Mod.Checks.RangeZ, FailedCheck(statement, WithRepetition(proof, 3, r => r with { Z = -r.Z })));
    }

    [Fact]
    public void WrongNthRootFailsTheFirstEquality()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.Equal(Mod.Checks.Equality1, FailedCheck(statement, WithRepetition(proof, 0, r => r with { Z = r.Z * 2 % statement.N })));
    }

    [Fact]
    public void WrongFourthRootOrFlagsFailTheSecondEquality()
    {
        var (statement, proof) = HonestProof("2048");
        var n = statement.N;
        Assert.Equal(Mod.Checks.Equality2, FailedCheck(statement, WithRepetition(proof, 0, r => r with { A = !r.A })));
        Assert.Equal(Mod.Checks.Equality2, FailedCheck(statement, WithRepetition(proof, 1, r => r with { B = !r.B })));
        Assert.Equal(Mod.Checks.Equality2, FailedCheck(statement, WithRepetition(proof, 2, r => r with { X = r.X * 3 % n })));

        // −x is also a fourth root (the equality does not ask for the principal one).
        Assert.True(Mod.Verify(Context, statement, WithRepetition(proof, 2, r => r with { X = n - r.X })).IsValid);
    }

    [Fact]
    public void ParallelVerificationReportsTheFirstFailureInOrder()
    {
        var (statement, proof) = HonestProof("2048");
        var tampered = WithRepetition(WithRepetition(proof, 60, r => r with { Z = 1 }), 30, r => r with { A = !r.A });
        Assert.Equal(Mod.Checks.Equality2, Mod.Verify(Context, statement, tampered, degreeOfParallelism: 1).FailedCheck);
        Assert.Equal(Mod.Checks.Equality2, Mod.Verify(Context, statement, tampered, degreeOfParallelism: 4).FailedCheck);
    }

    [Fact]
    public void ProductOfThreePrimesIsRejectedEvenWithCorrectNthRoots()
    {
        // A cheater with N = p·q·r knows φ(N), so its N-th roots are right (gcd(N, φ(N)) = 1); but with three
        // prime factors only half of the y_i can be turned into residues by (−1)^a·w^b, and the fourth-root
        // equality catches the rest.
        var level = SecurityLevel.Bits2048;
        var a = Backends.Default;
        var (p, _) = TestPrimes.Pair(level, 5);
        var (q, r) = (Primes512[0], Primes512[1]);
        BigInteger[] primes = [p, q, r];
        var n = p * q * r;
        Assert.Equal(2048, n.GetBitLength());
        var statement = new Mod.Statement(n, level);
        var rng = new SeededRandom("mod three primes");
        BigInteger w;
        do
        {
            w = Sampling.Unit(rng, n, a);
        }
        while (a.Jacobi(w, n) != -1);

        var phi = (p - 1) * (q - 1) * (r - 1);
        var nInverse = a.ModInverse(n, phi);
        var answered = 0;
        var repetitions = Mod.Challenges(Context, statement, w, a).Select(y =>
        {
            var z = a.ModPow(y, nInverse, n);
            foreach (var (flipA, flipB) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                var candidate = flipB ? a.ModMul(y, w, n) : y;
                candidate = flipA ? n - candidate : candidate;
                if (primes.All(prime => a.ModPow(candidate, (prime - 1) / 2, prime).IsOne))
                {
                    answered++;
                    var x = primes.Aggregate(BigInteger.Zero, (sum, prime) =>
                    {
                        var root = a.ModPow(candidate, BigInteger.Pow((prime + 1) / 4, 2), prime);
                        var cofactor = n / prime;
                        return (sum + (root * cofactor * a.ModInverse(cofactor, prime))) % n;
                    });
                    return new Mod.Repetition(x, flipA, flipB, z);
                }
            }

            return new Mod.Repetition(BigInteger.One, false, false, z); // no residue reachable: guess
        }).ToArray();

        Assert.InRange(answered, 1, level.Repetitions - 1);
        Assert.Equal(Mod.Checks.Equality2, FailedCheck(statement, new Mod.Proof(w, repetitions)));
    }

    [Fact]
    public void ProofIsBoundToSessionProverAndModulus()
    {
        var (statement, proof) = HonestProof("2048");
        Assert.False(Mod.Verify(new ProofContext("aux-info-2"u8.ToArray(), 2), statement, proof).IsValid);
        Assert.False(Mod.Verify(new ProofContext("aux-info-1"u8.ToArray(), 3), statement, proof).IsValid);
        var other = Mod.Statement.For(TestPrimes.PaillierKey(SecurityLevel.Bits2048, 1).PublicKey, SecurityLevel.Bits2048);
        Assert.False(Mod.Verify(Context, other, proof).IsValid);
    }

    [Fact]
    public void ProverRefusesAWitnessThatDoesNotFactorN()
    {
        var level = SecurityLevel.Bits2048;
        var statement = Mod.Statement.For(TestPrimes.PaillierKey(level, 0).PublicKey, level);
        using var wrong = Mod.Witness.From(TestPrimes.PaillierKey(level, 1));
        Assert.Throws<ArgumentException>(() => Mod.Prove(Context, statement, wrong, new SeededRandom("x")));
        Assert.DoesNotContain(wrong.P.Value.ToString(CultureInfo.InvariantCulture), wrong.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void WitnessIsWipedOnDispose()
    {
        var level = SecurityLevel.Bits2048;
        var statement = Mod.Statement.For(TestPrimes.PaillierKey(level, 0).PublicKey, level);
        var witness = Mod.Witness.From(TestPrimes.PaillierKey(level, 0));
        witness.Dispose();
        Assert.Throws<ObjectDisposedException>(() => witness.P.Value);
        Assert.Throws<ObjectDisposedException>(() => Mod.Prove(Context, statement, witness, new SeededRandom("x")));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void EncodingRoundTrips(string level)
    {
        var (statement, proof) = HonestProof(level);
        var encoded = proof.Encode();
        Assert.InRange(encoded.Length, 1, Mod.Proof.MaxEncodedLength(statement));
        var decoded = Mod.Proof.Decode(statement, encoded);
        Assert.Equal(proof, decoded);
    }

    [Fact]
    public void MalformedEncodingsAreRejectedWithTypedErrors()
    {
        var (statement, proof) = HonestProof("2048");
        var encoded = proof.Encode();
        var n = statement.N;
        var (p, _) = TestPrimes.Pair(SecurityLevel.Bits2048, 0);

        DecodingError Reason(byte[] bytes) => Assert.Throws<DecodingException>(() => Mod.Proof.Decode(statement, bytes)).Reason;
        byte[] Edit(Action<Wire.PaillierBlumModulusProof> change)
        {
            var message = Wire.PaillierBlumModulusProof.Parser.ParseFrom(encoded);
            change(message);
            return message.ToByteArray();
        }

        Assert.Equal(DecodingError.Malformed, Reason(encoded[..^5]));
        Assert.Equal(DecodingError.Malformed, Reason([0xFF, 0xFF, 0xFF]));
        Assert.Equal(DecodingError.OutOfRange, Reason(new byte[Mod.Proof.MaxEncodedLength(statement) + 1]));
        Assert.Equal(DecodingError.Malformed, Reason(Edit(m => m.Repetitions.RemoveAt(0))));
        Assert.Equal(DecodingError.Malformed, Reason(Edit(m => m.Repetitions.Add(m.Repetitions[0]))));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.W = ByteString.Empty)));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.W = ByteString.CopyFrom(n.ToByteArray(isUnsigned: true, isBigEndian: true)))));
        Assert.Equal(DecodingError.Malformed, Reason(Edit(m => m.W = ByteString.CopyFrom([0, .. m.W.ToByteArray()]))));
        Assert.Equal(DecodingError.NotCoprime, Reason(Edit(m => m.Repetitions[4].X = ByteString.CopyFrom(p.ToByteArray(isUnsigned: true, isBigEndian: true)))));
        Assert.Equal(DecodingError.OutOfRange, Reason(Edit(m => m.Repetitions[9].Z = ByteString.CopyFrom((n + 1).ToByteArray(isUnsigned: true, isBigEndian: true)))));
    }
}
