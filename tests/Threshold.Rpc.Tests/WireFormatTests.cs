using Threshold.Rpc.Wire;

namespace Threshold.Rpc.Tests;

/// <summary>grpc-timeout and grpc-message encodings.</summary>
public sealed class WireFormatTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("7u", 70L)]
    [InlineData("1000n", 10L)]
    [InlineData("0m", 0L)]
    [InlineData("99999999u", 999_999_990L)]
    public void TimeoutParses(string text, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(text, out var timeout));
        Assert.Equal(TimeSpan.FromTicks(ticks), timeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("5")]
    [InlineData("5s")]
    [InlineData("5 S")]
    [InlineData("+5S")]
    [InlineData("123456789m")]
    public void MalformedTimeoutIsRefused(string text) => Assert.False(GrpcTimeout.TryParse(text, out _));

    [Fact]
    public void TimeoutTooLongForATimerMeansNone()
    {
        Assert.True(GrpcTimeout.TryParse("99999999H", out var timeout));
        Assert.Null(timeout);
    }

    [Theory]
    [InlineData(1L, "1u")]
    [InlineData(10_000L, "1000u")]
    [InlineData(9_999_999_999L, "1000000m")] // past 8 digits of microseconds: milliseconds, rounded up
    [InlineData(TimeSpan.TicksPerDay * 3, "259200S")] // 259200000 ms has 9 digits
    [InlineData(TimeSpan.TicksPerDay * 30, "2592000S")]
    public void TimeoutFormatsInTheFinestUnitThatFits(long ticks, string expected)
    {
        var text = GrpcTimeout.Format(TimeSpan.FromTicks(ticks));
        Assert.Equal(expected, text);

        Assert.True(GrpcTimeout.TryParse(text, out var parsed));
        Assert.True(parsed >= TimeSpan.FromTicks(ticks)); // never shorter than asked
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("ü", "%C3%BC")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("🔑", "%F0%9F%94%91")]
    public void StatusMessageIsPercentEncodedUtf8(string message, string wire)
    {
        Assert.Equal(wire, StatusMessage.Encode(message));
        Assert.Equal(message, StatusMessage.Decode(wire));
    }

    [Theory]
    [InlineData("50%", "50%")]
    [InlineData("%zz ok", "%zz ok")]
    [InlineData("%4", "%4")]
    [InlineData("%FF", "\uFFFD")]
    public void BrokenStatusMessageDecodesWithoutFailing(string wire, string decoded) => Assert.Equal(decoded, StatusMessage.Decode(wire));
}
