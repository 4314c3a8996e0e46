using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Threshold.Rpc.Client;
using Threshold.Rpc.Hosting;

namespace Threshold.Rpc.Tests;

/// <summary>An echo server on a loopback port over TLS with a fresh self-signed certificate.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(RpcHost host, X509Certificate2 certificate, EchoService service)
    {
        Host = host;
        Certificate = certificate;
        Service = service;
    }

    public RpcHost Host { get; }

    public X509Certificate2 Certificate { get; }

    public EchoService Service { get; }

    public static async Task<TestServer> StartAsync(Func<RpcHostOptions, RpcHostOptions>? configure = null, X509Certificate2? certificate = null)
    {
        certificate ??= TestCertificates.SelfSigned();
        var service = new EchoService();
        var options = new RpcHostOptions { Certificate = certificate };
        var host = await RpcHost.StartAsync(service.Registry(), configure?.Invoke(options) ?? options);
        return new TestServer(host, certificate, service);
    }

    /// <summary>A client that pins this server's certificate (unless the options choose another trust).</summary>
    public RpcClient Client(RpcClientOptions? options = null)
    {
        options ??= new RpcClientOptions();
        if (options.TrustedRoots is null && options.PinnedServerCertificate is null)
        {
            options = options with { PinnedServerCertificate = Certificate };
        }

        return new RpcClient(Host.Address, options);
    }

    /// <summary>A plain HttpClient trusting this server's certificate, for hand-made requests.</summary>
    public HttpClient RawHttp(Version? version = null)
    {
        var pinned = Certificate.GetCertHash(HashAlgorithmName.SHA256);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(pinned);
        return new HttpClient(handler)
        {
            BaseAddress = Host.Address,
            DefaultRequestVersion = version ?? HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}

/// <summary>One echo server shared by the tests of a class.</summary>
public sealed class SharedServer : IAsyncLifetime
{
    private TestServer? server;

    internal TestServer Server => server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => server = await TestServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

/// <summary>A response read by hand: HTTP status, gRPC status (from headers or trailers) and body bytes.</summary>
internal sealed record RawResponse(HttpStatusCode HttpStatus, string? ContentType, string? GrpcStatus, string? GrpcMessage, bool TrailersOnly, byte[] Body, HttpResponseMessage Message);

internal static class Raw
{
    public static async Task<RawResponse> PostAsync(HttpClient http, string path, byte[] body, string contentType = "application/grpc", Action<HttpRequestMessage>? edit = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(body),
            Version = http.DefaultRequestVersion,
            VersionPolicy = http.DefaultVersionPolicy,
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TE.ParseAdd("trailers");
        edit?.Invoke(request);
        var response = await http.SendAsync(request).Within("the response");
        var bytes = await response.Content.ReadAsByteArrayAsync().Within("the response body");
        var trailersOnly = response.Headers.Contains("grpc-status");
        var source = trailersOnly ? (HttpHeaders)response.Headers : response.TrailingHeaders;
        return new RawResponse(
            response.StatusCode,
            response.Content.Headers.ContentType?.ToString(),
            source.TryGetValues("grpc-status", out var status) ? status.Single() : null,
            source.TryGetValues("grpc-message", out var message) ? message.Single() : null,
            trailersOnly,
            bytes,
            response);
    }

    /// <summary>A frame: flag, big-endian length, then the bytes (the length may lie on purpose).</summary>
    public static byte[] Frame(byte[] message, byte flag = 0, int? declaredLength = null)
    {
        var length = declaredLength ?? message.Length;
        byte[] header = [flag, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length];
        return [.. header, .. message];
    }
}

internal static class Waiting
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public static async Task Within(this Task task, string what)
    {
        try
        {
            await task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no {what} within {Limit.TotalSeconds} s");
        }
    }

    public static async Task<T> Within<T>(this Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no {what} within {Limit.TotalSeconds} s");
        }
    }
}
