using Grpc.Core;
using Threshold.Contracts;
using Threshold.Contracts.V1;

namespace Threshold.Client.Tests;

/// <summary>
/// Pins how a refusal reaches a wallet: <see cref="ThresholdException.ToStatus"/> and
/// <see cref="ThresholdException.FromRpc"/> round-trip every <see cref="ErrorCode"/> (with LockedUntil),
/// a missing, disagreeing or unparsable status details trailer falls back to the bare status code, and
/// <see cref="ThresholdClientException.From(ThresholdException)"/> maps each code to its documented
/// <see cref="ClientErrorKind"/>.
/// </summary>
public sealed class ClientErrorTests
{
    private static readonly DateTimeOffset Until = new(2026, 12, 7, 9, 30, 15, 250, TimeSpan.Zero);

    public static TheoryData<ErrorCode> EveryCode => [.. Enum.GetValues<ErrorCode>()];

    public static TheoryData<ErrorCode, ClientErrorKind> Kinds => new()
    {
        { ErrorCode.Unspecified, ClientErrorKind.OperationFailed },
        { ErrorCode.InvalidArgument, ClientErrorKind.OperationFailed },
        { ErrorCode.NotFound, ClientErrorKind.Refused },
        { ErrorCode.PermissionDenied, ClientErrorKind.Refused },
        { ErrorCode.Unauthenticated, ClientErrorKind.NotLoggedIn },
        { ErrorCode.FailedPrecondition, ClientErrorKind.OperationFailed },
        { ErrorCode.ResourceExhausted, ClientErrorKind.RateLimited },
        { ErrorCode.LoginLocked, ClientErrorKind.LoginLocked },
        { ErrorCode.Unavailable, ClientErrorKind.OperationFailed },
    };

    [Fact]
    public void Kinds_cover_every_code() =>
        Assert.Equal(Enum.GetValues<ErrorCode>().Order(), Kinds.Select(row => row.Data.Item1).Order());

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_refusal_maps_to_its_documented_kind(ErrorCode code, ClientErrorKind kind)
    {
        var error = ThresholdClientException.From(Refusal(code));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(code == ErrorCode.LoginLocked ? Until : null, error.LockedUntil);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_refusal_with_its_status_details_keeps_its_code_and_lock(ErrorCode code, ClientErrorKind kind)
    {
        var error = ThresholdClientException.From(Travelled(Refusal(code)));
        Assert.Equal(kind, error.Kind);
        Assert.Equal(code == ErrorCode.LoginLocked ? Until : null, error.LockedUntil);
    }

    [Theory]
    [MemberData(nameof(EveryCode))]
    public void FromRpc_round_trips_every_code(ErrorCode code)
    {
        var refusal = ThresholdException.FromRpc(Travelled(Refusal(code)));
        Assert.NotNull(refusal);
        Assert.Equal(code, refusal.Code);
        Assert.Equal("refused", refusal.Message);
        Assert.Equal(code == ErrorCode.LoginLocked ? Until : null, refusal.LockedUntil);
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, ClientErrorKind.OperationFailed)]
    [InlineData(StatusCode.NotFound, ClientErrorKind.Refused)]
    [InlineData(StatusCode.PermissionDenied, ClientErrorKind.Refused)]
    [InlineData(StatusCode.Unauthenticated, ClientErrorKind.NotLoggedIn)]
    [InlineData(StatusCode.FailedPrecondition, ClientErrorKind.OperationFailed)]
    [InlineData(StatusCode.ResourceExhausted, ClientErrorKind.RateLimited)]
    [InlineData(StatusCode.Unavailable, ClientErrorKind.OperationFailed)]
    [InlineData(StatusCode.Internal, ClientErrorKind.OperationFailed)]
    [InlineData(StatusCode.Cancelled, ClientErrorKind.OperationFailed)]
    public void Without_details_the_bare_status_code_maps(StatusCode status, ClientErrorKind kind)
    {
        var error = ThresholdClientException.From(new RpcException(new Status(status, "bare")));
        Assert.Equal(kind, error.Kind);
        Assert.Null(error.LockedUntil);
    }

    [Fact]
    public void Details_that_disagree_with_the_status_are_ignored()
    {
        var (_, details) = Refusal(ErrorCode.LoginLocked).ToStatus(); // travels as RESOURCE_EXHAUSTED
        var e = new RpcException(new Status(StatusCode.PermissionDenied, "refused"), Trailers(details));

        Assert.Equal(ErrorCode.PermissionDenied, ThresholdException.FromRpc(e)?.Code);
        var error = ThresholdClientException.From(e);
        Assert.Equal(ClientErrorKind.Refused, error.Kind);
        Assert.Null(error.LockedUntil);
    }

    [Fact]
    public void Garbage_details_are_ignored()
    {
        var e = new RpcException(new Status(StatusCode.Unauthenticated, "refused"), Trailers([0xff, 0xff, 0xff, 0x07, 0x01]));

        Assert.Equal(ErrorCode.Unauthenticated, ThresholdException.FromRpc(e)?.Code);
        Assert.Equal(ClientErrorKind.NotLoggedIn, ThresholdClientException.From(e).Kind);
    }

    [Fact]
    public void A_transport_failure_names_no_refusal()
    {
        Assert.Null(ThresholdException.FromRpc(new RpcException(new Status(StatusCode.Unavailable, "connection refused"))));
        Assert.Null(ThresholdException.FromRpc(new RpcException(new Status(StatusCode.DeadlineExceeded, "late"))));
    }

    private static ThresholdException Refusal(ErrorCode code) =>
        new(code, "refused") { LockedUntil = code == ErrorCode.LoginLocked ? Until : null };

    private static RpcException Travelled(ThresholdException refusal)
    {
        var (status, details) = refusal.ToStatus();
        return new RpcException(status, Trailers(details));
    }

    private static Metadata Trailers(byte[] details) => new() { { ThresholdException.StatusDetailsTrailer, details } };
}
