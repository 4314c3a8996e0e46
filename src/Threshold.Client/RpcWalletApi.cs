using Grpc.Core;
using Grpc.Net.Client;
using Threshold.Contracts.V1;

namespace Threshold.Client;

/// <summary>The wallet API over gRPC (the generated client on a <see cref="ThresholdChannel"/>); failures as <see cref="ThresholdClientException"/>.</summary>
public sealed class RpcWalletApi : IWalletApi, IDisposable
{
    private readonly GrpcChannel channel;
    private readonly Wallet.WalletClient client;

    /// <summary>Calls the aggregator over <paramref name="channel"/> (disposed with this client).</summary>
    public RpcWalletApi(GrpcChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        this.channel = channel;
        client = new Wallet.WalletClient(channel);
    }

    /// <inheritdoc />
    public Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken) => Call(client.GetClusterInfoAsync(new GetClusterInfoRequest(), cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<RegisterStartResponse> RegisterStartAsync(RegisterStartRequest request, CancellationToken cancellationToken) => Call(client.RegisterStartAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<RegisterFinishResponse> RegisterFinishAsync(RegisterFinishRequest request, CancellationToken cancellationToken) => Call(client.RegisterFinishAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<LoginStartResponse> LoginStartAsync(LoginStartRequest request, CancellationToken cancellationToken) => Call(client.LoginStartAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<LoginFinishResponse> LoginFinishAsync(LoginFinishRequest request, CancellationToken cancellationToken) => Call(client.LoginFinishAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<GenerateKeyResponse> GenerateKeyAsync(GenerateKeyRequest request, CancellationToken cancellationToken) => Call(client.GenerateKeyAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken) => Call(client.GetPublicKeyAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken) => Call(client.SignAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken) => Call(client.LogoutAsync(request, cancellationToken: cancellationToken));

    /// <inheritdoc />
    public void Dispose() => channel.Dispose();

    private static Task<TResponse> Call<TResponse>(AsyncUnaryCall<TResponse> call) =>
        ThresholdChannel.ReplyAsync(call, ThresholdClientException.From);
}
