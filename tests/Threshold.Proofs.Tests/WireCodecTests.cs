using System.Numerics;
using Google.Protobuf;
using Threshold.Arithmetic;
using Threshold.Proofs.Encoding;

namespace Threshold.Proofs.Tests;

public sealed class WireCodecTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("255")]
    [InlineData("-256")]
    [InlineData("123456789012345678901234567890")]
    public void SignedIntegersRoundTrip(string text)
    {
        var value = BigInteger.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(value, WireCodec.DecodeSigned(WireCodec.Signed(value), 128, "v"));
    }

    [Fact]
    public void NonCanonicalSignedEncodingsAreMalformed()
    {
        foreach (var bytes in new[] { Array.Empty<byte>(), [2, 1], [0, 0, 1], [1], [1, 0, 5] })
        {
            var error = Assert.Throws<DecodingException>(() => WireCodec.DecodeSigned(ByteString.CopyFrom(bytes), 64, "v"));
            Assert.Equal(DecodingError.Malformed, error.Reason);
        }
    }

    [Fact]
    public void OversizedSignedValuesAreOutOfRange()
    {
        var big = WireCodec.Signed(BigInteger.One << 64);
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => WireCodec.DecodeSigned(big, 64, "v")).Reason);
        Assert.Equal(BigInteger.One << 63, WireCodec.DecodeSigned(WireCodec.Signed(BigInteger.One << 63), 64, "v"));
        var huge = ByteString.CopyFrom(new byte[] { 0 }.Concat(Enumerable.Repeat((byte)1, 10_000)).ToArray());
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => WireCodec.DecodeSigned(huge, 64, "v")).Reason);
    }

    [Fact]
    public void UnsignedValuesAreCanonicalAndBounded()
    {
        Assert.Equal(BigInteger.Zero, WireCodec.DecodeUnsigned(WireCodec.Unsigned(0), 10, "u"));
        Assert.Equal(new BigInteger(9), WireCodec.DecodeUnsigned(WireCodec.Unsigned(9), 10, "u"));
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => WireCodec.DecodeUnsigned(WireCodec.Unsigned(10), 10, "u")).Reason);
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => WireCodec.DecodeUnsigned(ByteString.CopyFrom(0, 9), 10, "u")).Reason);
    }

    [Fact]
    public void UnitsMustBeCoprime()
    {
        var n = new BigInteger(15);
        Assert.Equal(new BigInteger(4), WireCodec.DecodeUnit(WireCodec.Unsigned(4), n, Backends.Managed, "u"));
        Assert.Equal(DecodingError.NotCoprime, Assert.Throws<DecodingException>(() => WireCodec.DecodeUnit(WireCodec.Unsigned(6), n, Backends.Managed, "u")).Reason);
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => WireCodec.DecodeUnit(WireCodec.Unsigned(0), n, Backends.Managed, "u")).Reason);
    }

    [Fact]
    public void ParallelVerificationKeepsOrder()
    {
        var verdicts = ParallelVerification.VerifyAll([() => Verdict.Valid, () => Verdict.Fail("x.eq1"), () => Verdict.Valid]);
        Assert.Equal([true, false, true], verdicts.Select(v => v.IsValid));
        Assert.Equal("x.eq1", verdicts[1].FailedCheck);
    }
}
