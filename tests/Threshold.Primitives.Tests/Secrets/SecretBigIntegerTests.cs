using System.Numerics;
using Threshold.Secrets;

namespace Threshold.Tests.Secrets;

public sealed class SecretBigIntegerTests
{
    [Fact]
    public void DisposeWipesTheHeldCopyAndLeavesTheOriginal()
    {
        var original = (BigInteger.One << 1000) + 12345;
        var secret = new SecretBigInteger(original);
        var held = secret.Value; // shares the holder's limbs
        secret.Dispose();
        Assert.All(held.ToByteArray(), b => Assert.Equal(0, b));
        Assert.Equal((BigInteger.One << 1000) + 12345, original);
        Assert.Throws<ObjectDisposedException>(() => secret.Value);
    }

    [Fact]
    public void NeverPrinted()
    {
        using var secret = new SecretBigInteger(BigInteger.Parse("123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("[secret]", secret.ToString());
        Assert.Equal(97, secret.BitLength);
    }
}
