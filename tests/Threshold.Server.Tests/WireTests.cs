using System.Buffers.Binary;
using System.Net;
using Google.Protobuf;
using Threshold.Server.Tests.Protos;

namespace Threshold.Server.Tests;

/// <summary>Hand-made HTTP/2 requests: malformed, garbage and oversized frames get an error status, and the server keeps serving.</summary>
public sealed class WireTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private const string EchoPath = "/threshold.rpc.test.Echo/Echo";
    private static readonly byte[] GoodRequest = new EchoRequest { Text = "ok" }.ToByteArray();

    public static TheoryData<string, byte[], string, string?> MalformedBodies() => new()
    {
        { "empty body", [], "", null },
        { "truncated header", [0, 0, 0], "", null },
        { "length larger than the body", Frame(GoodRequest, declaredLength: GoodRequest.Length + 10), "", null },
        { "two messages", [.. Frame(GoodRequest), .. Frame(GoodRequest)], "", null },
        { "trailing garbage", [.. Frame(GoodRequest), 7], "", null },
        { "compressed, no encoding", Frame(GoodRequest, flag: 1), "", null },
        { "compressed, gzip, not gzip", Frame(GoodRequest, flag: 1), "gzip", null },
        { "compressed, unknown encoding", Frame(GoodRequest, flag: 1), "snappy-ish", "12" },
        { "invalid flag", Frame(GoodRequest, flag: 2), "", null },
        { "not protobuf", Frame([0xFF, 0xFF, 0xFF, 0xFF]), "", null },
        { "random garbage", [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 37))], "", null },
        { "declared 5 MiB, over the 4 MiB limit", Frame(GoodRequest, declaredLength: 5 * 1024 * 1024), "", "8" },
        { "declared 4 GiB, past any length Grpc.AspNetCore reads", Frame(GoodRequest, declaredLength: uint.MaxValue), "", null },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task MalformedRequestGetsAnErrorStatusAndTheServerKeepsServing(string because, byte[] body, string encoding, string? status)
    {
        using var http = shared.Server.RawHttp();
        var reply = await PostAsync(http, EchoPath, body, edit: r =>
        {
            if (encoding.Length > 0)
            {
                r.Headers.Add("grpc-encoding", encoding);
            }
        });
        Assert.Equal(HttpStatusCode.OK, reply.Http);
        Assert.NotNull(reply.Status);
        Assert.NotEqual("0", reply.Status);
        if (status is not null)
        {
            Assert.True(status == reply.Status, $"{because}: {reply.Status} {reply.Message}");
        }

        var good = await PostAsync(http, EchoPath, Frame(GoodRequest));
        Assert.Equal("0", good.Status);
        Assert.Equal("ok", EchoReply.Parser.ParseFrom(good.Body.AsSpan(5)).Text);
    }

    [Fact]
    public async Task UnknownMethodIsUnimplemented()
    {
        using var http = shared.Server.RawHttp();
        Assert.Equal("12", (await PostAsync(http, "/no.Such/Method", Frame(GoodRequest))).Status);
        Assert.Equal("12", (await PostAsync(http, "/threshold.rpc.test.Echo/NoSuchMethod", Frame(GoodRequest))).Status);
    }

    [Fact]
    public async Task ManyBadRequestsOnOneConnectionLeaveItServing()
    {
        using var http = shared.Server.RawHttp();
        for (var i = 0; i < 50; i++)
        {
            Assert.NotEqual("0", (await PostAsync(http, EchoPath, [.. Frame(GoodRequest), (byte)i])).Status);
        }

        Assert.Equal("0", (await PostAsync(http, EchoPath, Frame(GoodRequest))).Status);
    }

    /// <summary>A gRPC length-prefixed message: flag byte, 4-byte big-endian length, the bytes.</summary>
    internal static byte[] Frame(byte[] message, byte flag = 0, long? declaredLength = null)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(declaredLength ?? message.Length));
        message.CopyTo(frame, 5);
        return frame;
    }

    internal static async Task<(HttpStatusCode Http, string? Status, string? Message, byte[] Body, HttpResponseMessage Response)> PostAsync(
        HttpClient http, string path, byte[] body, string contentType = "application/grpc", Action<HttpRequestMessage>? edit = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body), Version = http.DefaultRequestVersion, VersionPolicy = http.DefaultVersionPolicy };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        edit?.Invoke(request);
        var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        string? Get(string name) =>
            response.Headers.TryGetValues(name, out var header) ? header.First()
            : response.TrailingHeaders.TryGetValues(name, out var trailer) ? trailer.First() : null;
        return (response.StatusCode, Get("grpc-status"), Get("grpc-message"), bytes, response);
    }
}
