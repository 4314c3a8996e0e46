using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Tests.Paillier;

public sealed class RingPedersenTests
{
    [Theory]
    [InlineData("2048")]
    [InlineData("3072")]
    public void TrapdoorRelatesSAndT(string levelName)
    {
        var level = SecurityLevel.FromName(levelName);
        var key = TestPrimes.PaillierKey(level, 0);
        using var secret = RingPedersenSecret.Generate(key, new SeededRandom("rp " + levelName));
        var rp = secret.Parameters;
        Assert.Equal(rp.S, Backends.Default.ModPow(rp.T, secret.Lambda, rp.N));
        Assert.Equal(1, Backends.Default.Jacobi(rp.T, rp.N)); // t is a square
    }

    [Fact]
    public void CrtCommitmentEqualsPublicCommitment()
    {
        var key = TestPrimes.PaillierKey(SecurityLevel.Bits2048, 1);
        var rng = new SeededRandom("commit");
        using var secret = RingPedersenSecret.Generate(key, rng);
        for (var i = 0; i < 5; i++)
        {
            var x = Sampling.Signed(rng, 1792);
            var y = Sampling.Signed(rng, 1792 + 2048);
            Assert.Equal(secret.Parameters.Commit(x, y), secret.Commit(x, y));
        }
    }

    [Fact]
    public void DecodedParametersMustBeUnitsOtherThanOne()
    {
        var key = TestPrimes.PaillierKey(SecurityLevel.Bits2048, 2);
        var n = key.N;
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => new RingPedersenParameters(n, 1, 4)).Reason);
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => new RingPedersenParameters(n, 4, n)).Reason);
        Assert.Equal(DecodingError.NotCoprime, Assert.Throws<DecodingException>(() => new RingPedersenParameters(n, key.P, 4)).Reason);
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => new RingPedersenParameters(n + 1, 9, 4)).Reason);
        Assert.NotNull(new RingPedersenParameters(n, 9, 4));
    }

    [Fact]
    public void TrapdoorIsRedactedAndWiped()
    {
        var key = TestPrimes.PaillierKey(SecurityLevel.Bits2048, 3);
        var secret = RingPedersenSecret.Generate(key, new SeededRandom("wipe"));
        Assert.DoesNotContain("λ", secret.ToString(), StringComparison.Ordinal);
        secret.Dispose();
        Assert.Throws<ObjectDisposedException>(() => secret.Lambda);
        Assert.Equal(BigInteger.One, key.Decrypt(key.PublicKey.Encrypt(1, new SeededRandom("still usable"), out _)));
    }
}
