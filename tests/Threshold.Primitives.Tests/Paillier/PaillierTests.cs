using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Tests.Paillier;

public sealed class PaillierTests
{
    public static TheoryData<string> Levels => ["2048", "3072"];

    [Theory]
    [MemberData(nameof(Levels))]
    public void EncryptThenDecryptRoundTrips(string levelName)
    {
        var level = SecurityLevel.FromName(levelName);
        var key = TestPrimes.PaillierKey(level, 0);
        Assert.Equal(level.ModulusBits, key.PublicKey.Bits);
        var rng = new SeededRandom("round trip " + levelName);
        foreach (var m in new[] { BigInteger.Zero, BigInteger.One, key.N - 1, Sampling.Below(rng, key.N) })
        {
            Assert.Equal(m, key.Decrypt(key.PublicKey.Encrypt(m, rng, out _)));
            Assert.Equal(m, key.Decrypt(key.Encrypt(m, rng, out _)));
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void OwnerEncryptionEqualsPublicEncryption(string levelName)
    {
        var key = TestPrimes.PaillierKey(SecurityLevel.FromName(levelName), 1);
        var rng = new SeededRandom("crt " + levelName);
        for (var i = 0; i < 5; i++)
        {
            var m = Sampling.Signed(rng, 1500);
            var nonce = key.PublicKey.SampleNonce(rng);
            Assert.Equal(key.PublicKey.Encrypt(m, nonce), key.Encrypt(m, nonce));
        }
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void HomomorphismsHold(string levelName)
    {
        var key = TestPrimes.PaillierKey(SecurityLevel.FromName(levelName), 2);
        var pk = key.PublicKey;
        var rng = new SeededRandom("homomorphic " + levelName);
        var a = Sampling.Signed(rng, 256);
        var b = Sampling.Signed(rng, 256);
        var k = Sampling.Signed(rng, 512);
        var ca = pk.Encrypt(a, rng, out _);
        var cb = pk.Encrypt(b, rng, out _);
        Assert.Equal(a + b, key.DecryptSigned(pk.Add(ca, cb)));
        Assert.Equal(k * a, key.DecryptSigned(pk.Multiply(ca, k)));
        Assert.Equal((k * a) + b, key.DecryptSigned(pk.Add(pk.Multiply(ca, k), cb)));
        Assert.Equal(-a, key.DecryptSigned(pk.Multiply(ca, -1)));
    }

    [Fact]
    public void SignedDecryptionCentresOnZero()
    {
        var key = TestPrimes.PaillierKey(SecurityLevel.Bits2048, 0);
        var half = key.N >> 1;
        Assert.Equal(half, key.DecryptSigned(key.PublicKey.Encrypt(half, new SeededRandom("h"), out _)));
        Assert.Equal(half + 1 - key.N, key.DecryptSigned(key.PublicKey.Encrypt(half + 1, new SeededRandom("h"), out _)));
    }

    [Fact]
    public void CrtExponentiationMatchesPublic()
    {
        var key = TestPrimes.PaillierKey(SecurityLevel.Bits2048, 3);
        var rng = new SeededRandom("crt pow");
        var c = key.PublicKey.Encrypt(12345, rng, out _).Value;
        var e = Sampling.Signed(rng, 2500);
        Assert.Equal(key.PublicKey.Arithmetic.ModPow(c, e, key.PublicKey.NSquared), key.PowModNSquared(c, e));
        var s = Sampling.Unit(rng, key.N, Backends.Default);
        var t = Sampling.Unit(rng, key.N, Backends.Default);
        Assert.Equal(Backends.Default.MultiExp(s, e, t, -e, key.N), key.MultiExpModN(s, e, t, -e));
    }

    [Fact]
    public void CiphertextValidationRejectsBadValues()
    {
        var key = TestPrimes.PaillierKey(SecurityLevel.Bits2048, 0);
        var pk = key.PublicKey;
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => pk.Validate(0)).Reason);
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => pk.Validate(-5)).Reason);
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => pk.Validate(pk.NSquared)).Reason);
        Assert.Equal(DecodingError.NotCoprime, Assert.Throws<DecodingException>(() => pk.Validate(key.P * 12345)).Reason);
        Assert.Equal(DecodingError.NotCoprime, Assert.Throws<DecodingException>(() => pk.Validate(pk.N)).Reason);
        var valid = pk.Encrypt(7, new SeededRandom("v"), out _);
        Assert.Equal(valid, pk.Validate(valid.Value));
    }

    [Fact]
    public void NoncesOutsideTheUnitGroupAreRefused()
    {
        var key = TestPrimes.PaillierKey(SecurityLevel.Bits2048, 0);
        Assert.Throws<ArgumentException>(() => key.PublicKey.Encrypt(1, key.P));
        Assert.Throws<ArgumentException>(() => key.Encrypt(1, BigInteger.Zero));
        Assert.Throws<ArgumentException>(() => key.PublicKey.Encrypt(1, key.N));
    }

    [Fact]
    public void ModulusMustLookLikeAPaillierModulus()
    {
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => new PaillierPublicKey(BigInteger.One << 2047)).Reason);
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => new PaillierPublicKey(new BigInteger(35))).Reason);
    }

    [Fact]
    public void KeysComeOnlyFromDistinctSafePrimesOfEqualLength()
    {
        var (p, q) = TestPrimes.Pair(SecurityLevel.Bits2048, 0);
        Assert.Throws<ArgumentException>(() => PaillierSecretKey.FromSafePrimes(p, p));
        Assert.Throws<ArgumentException>(() => PaillierSecretKey.FromSafePrimes(p, TestPrimes.OfBits(1536)[0]));
        var notSafe = (BigInteger.One << 1023) + 1155; // odd, but not a safe prime
        Assert.Throws<ArgumentException>(() => PaillierSecretKey.FromSafePrimes(p, notSafe));
        using var key = PaillierSecretKey.FromSafePrimes(p, q);
        Assert.Equal(p * q, key.N);
    }

    [Fact]
    public void SecretKeyIsRedactedAndUnusableAfterDispose()
    {
        var (p, q) = TestPrimes.Pair(SecurityLevel.Bits2048, 4);
        var key = PaillierSecretKey.FromSafePrimes(p, q);
        var c = key.PublicKey.Encrypt(5, new SeededRandom("d"), out _);
        Assert.DoesNotContain(p.ToString(System.Globalization.CultureInfo.InvariantCulture)[..20], key.ToString(), StringComparison.Ordinal);
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => key.Decrypt(c));
        Assert.Throws<ObjectDisposedException>(() => key.P);
    }

    [Fact]
    public void ManagedBackendProducesTheSameCiphertexts()
    {
        var (p, q) = TestPrimes.Pair(SecurityLevel.Bits2048, 5);
        using var gmpKey = PaillierSecretKey.FromSafePrimes(p, q, Backends.Gmp);
        using var managedKey = PaillierSecretKey.FromSafePrimes(p, q, Backends.Managed);
        var rng = new SeededRandom("managed");
        var m = Sampling.Below(rng, gmpKey.N);
        var nonce = gmpKey.PublicKey.SampleNonce(rng);
        var c = gmpKey.Encrypt(m, nonce);
        Assert.Equal(c, managedKey.Encrypt(m, nonce));
        Assert.Equal(m, managedKey.Decrypt(c));
    }
}
