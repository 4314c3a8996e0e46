using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using Threshold.Server;

namespace Threshold.System.Tests;

/// <summary>Malformed and oversized requests against the real aggregator endpoint get clear statuses, and it keeps serving.</summary>
[Trait("Category", "Slow")]
public sealed class BadInputTests
{
    [Fact]
    public async Task MalformedAndOversizedFramesAreRefusedAndServiceContinues()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await EmbeddedCluster.StartAsync(
            InProcessCluster.Options(2, 2) with
            {
                OverLoopbackTls = true,
            },
            ct);
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } };
        using var http = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        async Task<string?> PostAsync(byte[] body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(cluster.AggregatorAddress!, "/threshold.v1.Wallet/Sign"))
            {
                Content = new ByteArrayContent(body),
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            request.Headers.TE.ParseAdd("trailers");
            using var response = await http.SendAsync(request, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            return response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.First()
                : response.Headers.TryGetValues("grpc-status", out var header) ? header.First() : $"http {(int)response.StatusCode}: {response.Headers} {response.Content.Headers}";
        }

        // A frame that announces 100 bytes and carries 3, and one that decodes to garbage protobuf:
        // each gets an error status (not OK, not missing).
        var truncated = await PostAsync([0, 0, 0, 0, 100, 1, 2, 3]);
        Assert.Matches("^[1-9][0-9]*$", truncated);
        var garbage = await PostAsync([0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF]);
        Assert.Matches("^[1-9][0-9]*$", garbage);

        // A frame over the 4 MiB limit: RESOURCE_EXHAUSTED (8).
        var huge = new byte[5 + (5 << 20)];
        huge[1] = (byte)((5 << 20) >> 24);
        huge[2] = (byte)(((5 << 20) >> 16) & 0xFF);
        Assert.Equal("8", await PostAsync(huge));

        // A well-formed request with invalid content: INVALID_ARGUMENT (3), nothing signed.
        Assert.Equal("3", await PostAsync([0, 0, 0, 0, 0]));

        // The service still answers.
        var info = await cluster.WalletApi.GetClusterInfoAsync(ct);
        Assert.Equal(2u, info.NodesTotal);
    }
}
