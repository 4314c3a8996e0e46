using Threshold.Client;
using Threshold.Contracts.V1;

namespace Threshold.System.Tests;

/// <summary>A wallet API that keeps the last requests it relayed, for replay tests.</summary>
internal sealed class RecordingWalletApi(IWalletApi inner) : DelegatingWalletApi(inner)
{
    public SignRequest? LastSign { get; private set; }

    public GetPublicKeyRequest? LastGetPublicKey { get; private set; }

    public override Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken)
    {
        LastGetPublicKey = request.Clone();
        return base.GetPublicKeyAsync(request, cancellationToken);
    }

    public override Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken)
    {
        LastSign = request.Clone();
        return base.SignAsync(request, cancellationToken);
    }
}
