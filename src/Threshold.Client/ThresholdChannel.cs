using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace Threshold.Client;

/// <summary>
/// gRPC channels (Grpc.Net.Client) to the cluster's servers, trusting a pinned certificate: the wallet
/// to the aggregator, the aggregator to its nodes (presenting its client certificate for mutual TLS).
/// </summary>
public static class ThresholdChannel
{
    /// <summary>
    /// A channel to <paramref name="address"/>. One per server, reused: calls share HTTP/2 connections
    /// (another opens only when one is full).
    /// </summary>
    /// <param name="address">https://host:port (http:// for cleartext HTTP/2 in tests).</param>
    /// <param name="pinnedServerCertificate">
    /// Trust exactly this server certificate (SHA-256 of its encoding), whatever its issuer, dates or names:
    /// how the cluster's self-signed certificates are trusted. Null: the system's trust store.
    /// </param>
    /// <param name="clientCertificate">The certificate (with private key) presented when the server asks for one.</param>
    public static GrpcChannel Create(Uri address, X509Certificate2? pinnedServerCertificate, X509Certificate2? clientCertificate = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        };
        if (pinnedServerCertificate is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = Pin(pinnedServerCertificate);
        }

        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    /// <summary>
    /// The reply of a unary call made with a generated client; a failed call's <see cref="RpcException"/>
    /// becomes the caller's own error through <paramref name="failure"/>. Disposes the call.
    /// </summary>
    public static async Task<TResponse> ReplyAsync<TResponse>(AsyncUnaryCall<TResponse> call, Func<RpcException, Exception> failure)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(failure);
        using (call)
        {
            try
            {
                return await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw failure(e);
            }
        }
    }

    /// <summary>Accepts the server certificate whose SHA-256 (of its encoding) is <paramref name="pinned"/>'s, and no other.</summary>
    public static RemoteCertificateValidationCallback Pin(X509Certificate2 pinned)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        var expected = pinned.GetCertHash(HashAlgorithmName.SHA256);
        return (_, certificate, _, _) => certificate is not null && CryptographicOperations.FixedTimeEquals(certificate.GetCertHash(HashAlgorithmName.SHA256), expected);
    }
}
