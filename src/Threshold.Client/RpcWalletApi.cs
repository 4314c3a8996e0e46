using Google.Protobuf;
using Threshold.Contracts.V1;
using Threshold.Rpc;
using Threshold.Rpc.Client;

namespace Threshold.Client;

/// <summary>The wallet API over the RPC host (gRPC wire protocol on HTTP/2 with TLS).</summary>
public sealed class RpcWalletApi(RpcClient client) : IWalletApi, IDisposable
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = WalletReflection.Descriptor.Services.Single(s => s.Name == "Wallet");

    /// <inheritdoc />
    public Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken) => Call<GetClusterInfoRequest, ClusterInfo>("GetClusterInfo", new(), cancellationToken);

    /// <inheritdoc />
    public Task<RegisterStartResponse> RegisterStartAsync(RegisterStartRequest request, CancellationToken cancellationToken) => Call<RegisterStartRequest, RegisterStartResponse>("RegisterStart", request, cancellationToken);

    /// <inheritdoc />
    public Task<RegisterFinishResponse> RegisterFinishAsync(RegisterFinishRequest request, CancellationToken cancellationToken) => Call<RegisterFinishRequest, RegisterFinishResponse>("RegisterFinish", request, cancellationToken);

    /// <inheritdoc />
    public Task<LoginStartResponse> LoginStartAsync(LoginStartRequest request, CancellationToken cancellationToken) => Call<LoginStartRequest, LoginStartResponse>("LoginStart", request, cancellationToken);

    /// <inheritdoc />
    public Task<LoginFinishResponse> LoginFinishAsync(LoginFinishRequest request, CancellationToken cancellationToken) => Call<LoginFinishRequest, LoginFinishResponse>("LoginFinish", request, cancellationToken);

    /// <inheritdoc />
    public Task<GenerateKeyResponse> GenerateKeyAsync(GenerateKeyRequest request, CancellationToken cancellationToken) => Call<GenerateKeyRequest, GenerateKeyResponse>("GenerateKey", request, cancellationToken);

    /// <inheritdoc />
    public Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken) => Call<GetPublicKeyRequest, GetPublicKeyResponse>("GetPublicKey", request, cancellationToken);

    /// <inheritdoc />
    public Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken) => Call<SignRequest, SignResponse>("Sign", request, cancellationToken);

    /// <inheritdoc />
    public Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken) => Call<LogoutRequest, LogoutResponse>("Logout", request, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => client.Dispose();

    private async Task<TResponse> Call<TRequest, TResponse>(string name, TRequest request, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>, new()
        where TResponse : IMessage<TResponse>, new()
    {
        try
        {
            return await client.CallAsync(RpcMethod.FromDescriptor<TRequest, TResponse>(Service.FindMethodByName(name)), request, null, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw ThresholdClientException.FromStatus(e.StatusCode, e.Detail);
        }
    }
}
