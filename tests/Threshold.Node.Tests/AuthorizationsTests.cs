using Google.Protobuf;
using Threshold.Contracts.V1;
using Threshold.Node.Sessions;

namespace Threshold.Node.Tests;

/// <summary>
/// Pins <see cref="Authorizations"/>: a request id is accepted once; a sign request allows exactly two
/// consumptions, any other request one; an expired or non-matching one is left untouched; and of
/// concurrent consumers of the last use exactly one wins.
/// </summary>
public sealed class AuthorizationsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_request_id_is_accepted_once()
    {
        var authorizations = new Authorizations(new ManualClock(Start));
        var id = Id(1);

        Assert.True(authorizations.Add(Authorization(id, Sign())));
        Assert.False(authorizations.Add(Authorization(id, Sign())));
        Assert.False(authorizations.Add(Authorization(id, GetPublicKey())));
        Assert.True(authorizations.Add(Authorization(Id(2), Sign())));
    }

    [Fact]
    public void A_consumed_request_id_is_not_accepted_again()
    {
        var authorizations = new Authorizations(new ManualClock(Start));
        var id = Id(1);
        Assert.True(authorizations.Add(Authorization(id, GetPublicKey())));
        Assert.NotNull(authorizations.Consume(id, _ => true));

        Assert.False(authorizations.Add(Authorization(id, GetPublicKey())));
        Assert.Null(authorizations.Consume(id, _ => true));
    }

    [Fact]
    public void A_sign_request_allows_exactly_two_consumptions()
    {
        var authorizations = new Authorizations(new ManualClock(Start));
        var id = Id(1);
        authorizations.Add(Authorization(id, Sign()));

        Assert.NotNull(authorizations.Consume(id, _ => true));
        Assert.NotNull(authorizations.Consume(id, _ => true));
        Assert.Null(authorizations.Consume(id, _ => true));
    }

    [Theory]
    [InlineData(ChannelRequest.OperationOneofCase.GenerateKey)]
    [InlineData(ChannelRequest.OperationOneofCase.GetPublicKey)]
    [InlineData(ChannelRequest.OperationOneofCase.Logout)]
    public void Any_other_request_allows_one_consumption(ChannelRequest.OperationOneofCase operation)
    {
        var request = operation switch
        {
            ChannelRequest.OperationOneofCase.GenerateKey => new ChannelRequest { GenerateKey = new GenerateKeyOperation() },
            ChannelRequest.OperationOneofCase.GetPublicKey => GetPublicKey(),
            _ => new ChannelRequest { Logout = new LogoutOperation() },
        };
        var authorizations = new Authorizations(new ManualClock(Start));
        var id = Id(1);
        authorizations.Add(Authorization(id, request));

        Assert.NotNull(authorizations.Consume(id, _ => true));
        Assert.Null(authorizations.Consume(id, _ => true));
    }

    [Fact]
    public void An_expired_authorization_is_not_consumed()
    {
        var clock = new ManualClock(Start);
        var authorizations = new Authorizations(clock);
        var id = Id(1);
        authorizations.Add(Authorization(id, Sign()));

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Null(authorizations.Consume(id, _ => true));
    }

    [Fact]
    public void A_non_matching_predicate_leaves_it_untouched()
    {
        var authorizations = new Authorizations(new ManualClock(Start));
        var id = Id(1);
        authorizations.Add(Authorization(id, GetPublicKey()));

        Assert.Null(authorizations.Consume(id, _ => false));
        Assert.Null(authorizations.Consume(id, a => a.UserId == "mallory"));
        var consumed = authorizations.Consume(id, a => a.UserId == "alice");
        Assert.NotNull(consumed);
        Assert.Equal("alice", consumed.UserId);
    }

    [Fact]
    public void An_unknown_request_id_is_not_consumed()
    {
        var authorizations = new Authorizations(new ManualClock(Start));
        authorizations.Add(Authorization(Id(1), Sign()));
        Assert.Null(authorizations.Consume(Id(2), _ => true));
    }

    [Fact]
    public void Expired_ids_are_forgotten_by_a_later_add()
    {
        var clock = new ManualClock(Start);
        var authorizations = new Authorizations(clock);
        authorizations.Add(Authorization(Id(1), Sign()));
        authorizations.Add(Authorization(Id(2), Sign()));
        Assert.Equal(2, authorizations.Remembered);

        clock.Advance(TimeSpan.FromMinutes(10));
        authorizations.Add(Authorization(Id(3), Sign()));

        Assert.Equal(1, authorizations.Remembered);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public async Task Of_concurrent_consumers_only_the_allowed_number_win(bool sign, int uses)
    {
        for (var round = 0; round < 50; round++)
        {
            var authorizations = new Authorizations(new ManualClock(Start));
            var id = Id(round);
            authorizations.Add(Authorization(id, sign ? Sign() : GetPublicKey()));
            using var go = new ManualResetEventSlim();
            var wins = 0;

            var consumers = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    go.Wait(TestContext.Current.CancellationToken);
                    if (authorizations.Consume(id, _ => true) is not null)
                    {
                        Interlocked.Increment(ref wins);
                    }
                },
                TestContext.Current.CancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();
            go.Set();
            await Task.WhenAll(consumers);

            Assert.Equal(uses, wins);
        }
    }

    private static byte[] Id(int n)
    {
        var id = new byte[16];
        id[0] = (byte)n;
        id[15] = 0xaa;
        return id;
    }

    private static Authorization Authorization(byte[] id, ChannelRequest request)
    {
        request.RequestId = ByteString.CopyFrom(id);
        return new Authorization("alice", request, Start + TimeSpan.FromMinutes(1));
    }

    private static ChannelRequest Sign() => new() { Sign = new SignOperation { KeyId = "key", Digest = ByteString.CopyFrom(new byte[32]) } };

    private static ChannelRequest GetPublicKey() => new() { GetPublicKey = new GetPublicKeyOperation { KeyId = "key" } };
}
