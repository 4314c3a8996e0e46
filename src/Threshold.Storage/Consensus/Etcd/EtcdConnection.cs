using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Google.Protobuf;
using Grpc.Core;

namespace Threshold.Storage.Consensus.Etcd;

/// <summary>How to reach an etcd cluster: its client endpoints, this party's client certificate (whose CN is its etcd user) and the CA that signed the members' certificates.</summary>
public sealed record EtcdConnectionOptions
{
    /// <summary>The members' client URLs (<c>https://host:port</c>).</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    /// <summary>This party's client certificate, with its private key; its subject CN is its etcd user name.</summary>
    public required X509Certificate2 ClientCertificate { get; init; }

    /// <summary>The CA that issued the members' server certificates (the only one trusted).</summary>
    public required X509Certificate2 TrustedCa { get; init; }

    /// <summary>The key prefix every key lives under.</summary>
    public string Prefix { get; init; } = "/threshold/v1/";

    /// <summary>How long one call may wait for a quorum before the store reports it unavailable.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>Opens etcd clients with mutual TLS, and maps etcd's failures onto the store's errors.</summary>
internal static class EtcdConnection
{
    /// <summary>A client that presents <see cref="EtcdConnectionOptions.ClientCertificate"/> and trusts only <see cref="EtcdConnectionOptions.TrustedCa"/>.</summary>
    public static EtcdClient Open(EtcdConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one etcd endpoint is needed", nameof(options));
        }

        var ca = options.TrustedCa;
        return new EtcdClient(
            string.Join(",", options.Endpoints),
            ssl =>
            {
                ssl.ClientCertificates = [options.ClientCertificate];
                ssl.RemoteCertificateValidationCallback = (_, certificate, _, _) => IssuedBy(certificate, ca);
            });
    }

    /// <summary>Whether <paramref name="certificate"/> chains to <paramref name="ca"/> alone (names are not checked: the CA issues only this cluster's certificates).</summary>
    public static bool IssuedBy(X509Certificate? certificate, X509Certificate2 ca)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = new X509Certificate2(certificate);
        return chain.Build(presented);
    }

    /// <summary>Runs one etcd call with the call deadline; a missing quorum or an unreachable cluster becomes <see cref="ConsensusUnavailableException"/>.</summary>
    public static async Task<T> CallAsync<T>(TimeSpan timeout, Func<DateTime, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(DateTime.UtcNow + timeout).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
            || (e.StatusCode == StatusCode.Unknown && (e.Status.Detail.Contains("timed out", StringComparison.Ordinal) || e.Status.Detail.Contains("deadline exceeded", StringComparison.Ordinal)))
            || (e.StatusCode == StatusCode.Cancelled && !cancellationToken.IsCancellationRequested))
        {
            throw new ConsensusUnavailableException($"etcd did not answer within {timeout.TotalSeconds:0.#} s ({e.StatusCode}: {e.Status.Detail}); nothing was decided", e);
        }
    }

    /// <summary>The key as etcd bytes.</summary>
    public static ByteString Key(string key) => ByteString.CopyFromUtf8(key);

    /// <summary>The end of the range of every key starting with <paramref name="prefix"/>.</summary>
    public static ByteString PrefixEnd(string prefix)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xFF)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }

        return ByteString.CopyFrom(0);
    }

    /// <summary>One path component of a key: escaped so that ids with '/' cannot reach another node's or user's keys.</summary>
    public static string Component(string id) => Uri.EscapeDataString(id);
}
