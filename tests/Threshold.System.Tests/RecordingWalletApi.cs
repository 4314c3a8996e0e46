using Threshold.Client;
using Threshold.Contracts.V1;

namespace Threshold.System.Tests;

/// <summary>A wallet API that keeps the last requests it relayed, for replay tests.</summary>
internal sealed class RecordingWalletApi(IWalletApi inner) : IWalletApi
{
    public SignRequest? LastSign { get; private set; }

    public Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken) => inner.GetClusterInfoAsync(cancellationToken);

    public Task<RegisterStartResponse> RegisterStartAsync(RegisterStartRequest request, CancellationToken cancellationToken) => inner.RegisterStartAsync(request, cancellationToken);

    public Task<RegisterFinishResponse> RegisterFinishAsync(RegisterFinishRequest request, CancellationToken cancellationToken) => inner.RegisterFinishAsync(request, cancellationToken);

    public Task<LoginStartResponse> LoginStartAsync(LoginStartRequest request, CancellationToken cancellationToken) => inner.LoginStartAsync(request, cancellationToken);

    public Task<LoginFinishResponse> LoginFinishAsync(LoginFinishRequest request, CancellationToken cancellationToken) => inner.LoginFinishAsync(request, cancellationToken);

    public Task<GenerateKeyResponse> GenerateKeyAsync(GenerateKeyRequest request, CancellationToken cancellationToken) => inner.GenerateKeyAsync(request, cancellationToken);

    public GetPublicKeyRequest? LastGetPublicKey { get; private set; }

    public Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken)
    {
        LastGetPublicKey = request.Clone();
        return inner.GetPublicKeyAsync(request, cancellationToken);
    }

    public Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken)
    {
        LastSign = request.Clone();
        return inner.SignAsync(request, cancellationToken);
    }

    public Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken) => inner.LogoutAsync(request, cancellationToken);
}
