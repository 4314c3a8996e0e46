using Threshold.Contracts;

namespace Threshold.Node.Tests;

/// <summary>
/// Pins <see cref="ProtocolSessionIds"/>: an id is 32 bytes carrying its issue time to the millisecond,
/// ids issued at one instant differ, and anything of another length or with an impossible time is no id.
/// </summary>
public sealed class ProtocolSessionIdsTests
{
    [Fact]
    public void The_issue_time_round_trips()
    {
        var issued = new DateTimeOffset(2026, 12, 7, 9, 15, 30, 123, TimeSpan.Zero);
        var id = ProtocolSessionIds.New(new ManualClock(issued));

        Assert.Equal(ProtocolSessionIds.Length, id.Length);
        Assert.Equal(issued, ProtocolSessionIds.IssuedAt(id));
    }

    [Fact]
    public void Ids_issued_at_one_instant_differ()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        Assert.NotEqual(ProtocolSessionIds.New(clock), ProtocolSessionIds.New(clock));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void Wrong_length_is_no_id(int length) =>
        Assert.Null(ProtocolSessionIds.IssuedAt(new byte[length]));

    [Fact]
    public void An_impossible_issue_time_is_no_id()
    {
        var negative = new byte[ProtocolSessionIds.Length];
        negative[0] = 0x80;
        Assert.Null(ProtocolSessionIds.IssuedAt(negative));
        var beyond = new byte[ProtocolSessionIds.Length];
        beyond[0] = 0x7f;
        Assert.Null(ProtocolSessionIds.IssuedAt(beyond));
    }

    [Fact]
    public void An_id_is_remembered_for_its_lifetime_and_the_skew()
    {
        var issued = DateTimeOffset.UnixEpoch;
        Assert.Equal(issued + ProtocolSessionIds.Lifetime + ProtocolSessionIds.MaxSkew, ProtocolSessionIds.RememberUntil(issued));
    }
}
