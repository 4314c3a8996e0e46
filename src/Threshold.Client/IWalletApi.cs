using Threshold.Contracts.V1;

namespace Threshold.Client;

/// <summary>
/// The aggregator's wallet API (threshold.v1.Wallet) as the SDK calls it. Implementations: over the
/// RPC host (gRPC or HTTP/JSON), or in process for the embedded demo and tests.
/// </summary>
public interface IWalletApi
{
    /// <summary>threshold.v1.Wallet.GetClusterInfo.</summary>
    Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken);

    /// <summary>threshold.v1.Wallet.RegisterStart.</summary>
    Task<RegisterStartResponse> RegisterStartAsync(RegisterStartRequest request, CancellationToken cancellationToken);

    /// <summary>threshold.v1.Wallet.RegisterFinish.</summary>
    Task<RegisterFinishResponse> RegisterFinishAsync(RegisterFinishRequest request, CancellationToken cancellationToken);

    /// <summary>threshold.v1.Wallet.LoginStart.</summary>
    Task<LoginStartResponse> LoginStartAsync(LoginStartRequest request, CancellationToken cancellationToken);

    /// <summary>threshold.v1.Wallet.LoginFinish.</summary>
    Task<LoginFinishResponse> LoginFinishAsync(LoginFinishRequest request, CancellationToken cancellationToken);

    /// <summary>threshold.v1.Wallet.GenerateKey.</summary>
    Task<GenerateKeyResponse> GenerateKeyAsync(GenerateKeyRequest request, CancellationToken cancellationToken);

    /// <summary>threshold.v1.Wallet.GetPublicKey.</summary>
    Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken);

    /// <summary>threshold.v1.Wallet.Sign.</summary>
    Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken);

    /// <summary>threshold.v1.Wallet.Logout.</summary>
    Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken);
}
