using Threshold.Client;
using Threshold.Contracts.V1;

namespace Threshold.System.Tests;

/// <summary>The wallet API passed through; tests override what an aggregator they play changes.</summary>
internal class DelegatingWalletApi(IWalletApi inner) : IWalletApi
{
    public virtual Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken) => inner.GetClusterInfoAsync(cancellationToken);

    public virtual Task<RegisterStartResponse> RegisterStartAsync(RegisterStartRequest request, CancellationToken cancellationToken) => inner.RegisterStartAsync(request, cancellationToken);

    public virtual Task<RegisterFinishResponse> RegisterFinishAsync(RegisterFinishRequest request, CancellationToken cancellationToken) => inner.RegisterFinishAsync(request, cancellationToken);

    public virtual Task<LoginStartResponse> LoginStartAsync(LoginStartRequest request, CancellationToken cancellationToken) => inner.LoginStartAsync(request, cancellationToken);

    public virtual Task<LoginFinishResponse> LoginFinishAsync(LoginFinishRequest request, CancellationToken cancellationToken) => inner.LoginFinishAsync(request, cancellationToken);

    public virtual Task<GenerateKeyResponse> GenerateKeyAsync(GenerateKeyRequest request, CancellationToken cancellationToken) => inner.GenerateKeyAsync(request, cancellationToken);

    public virtual Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken) => inner.GetPublicKeyAsync(request, cancellationToken);

    public virtual Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken) => inner.SignAsync(request, cancellationToken);

    public virtual Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken) => inner.LogoutAsync(request, cancellationToken);
}
