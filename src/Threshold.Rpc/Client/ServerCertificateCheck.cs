using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Threshold.Rpc.Client;

/// <summary>The TLS server-certificate decision of <see cref="RpcClient"/>: pin, private roots, or the system.</summary>
internal static class ServerCertificateCheck
{
    public static RemoteCertificateValidationCallback? Create(RpcClientOptions options)
    {
        if (options.PinnedServerCertificate is { } pinned)
        {
            var expected = pinned.GetCertHash(HashAlgorithmName.SHA256);
            return (_, certificate, _, _) =>
                certificate is not null && CryptographicOperations.FixedTimeEquals(certificate.GetCertHash(HashAlgorithmName.SHA256), expected);
        }

        if (options.TrustedRoots is { } roots) // an empty set trusts nobody; it never falls back to the system store
        {
            return (_, certificate, presented, errors) => ChainsToRoots(certificate, presented, errors, roots);
        }

        return null; // the platform's validation against the system store
    }

    private static bool ChainsToRoots(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        // The platform already checked the name against the host; the chain we rebuild ourselves.
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(leaf);
    }
}
