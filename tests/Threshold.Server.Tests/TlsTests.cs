using System.Security.Cryptography;
using Grpc.Core;
using Threshold.Client;
using Threshold.Server.Rpc;
using Threshold.Server.Tests.Protos;

namespace Threshold.Server.Tests;

/// <summary>Mutual TLS with a pinned client certificate (how nodes admit only the aggregator) and the client's pin of the server.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task MutualTlsAcceptsThePinnedClientAndShowsItToTheHandler()
    {
        using var known = SelfSignedCertificate.Create("known-client");
        await using var server = await StartRequiringAsync(known);
        using var channel = server.Channel(known);
        var reply = await new Echo.EchoClient(channel).EchoAsync(new EchoRequest { Text = "x" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("CN=known-client", reply.ClientCertificateSubject);
    }

    [Fact]
    public async Task MutualTlsRefusesCallersWithoutOrWithAnUnknownCertificate()
    {
        using var known = SelfSignedCertificate.Create("known-client");
        using var stranger = SelfSignedCertificate.Create("stranger");
        await using var server = await StartRequiringAsync(known);
        foreach (var presented in new[] { null, stranger })
        {
            using var channel = server.Channel(presented);
            var failure = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).EchoAsync(new EchoRequest(), cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
            AssertNoConnection(failure);
        }
    }

    [Fact]
    public async Task ClientRefusesAServerOtherThanThePinnedOne()
    {
        await using var server = await TestServer.StartAsync();
        using var other = SelfSignedCertificate.Create("someone-else");
        using var channel = ThresholdChannel.Create(server.Host.Address, other);
        var failure = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).EchoAsync(new EchoRequest(), cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        AssertNoConnection(failure);
    }

    [Fact]
    public async Task SystemTrustRefusesASelfSignedServer()
    {
        await using var server = await TestServer.StartAsync();
        using var channel = ThresholdChannel.Create(server.Host.Address, null);
        var failure = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(channel).EchoAsync(new EchoRequest(), cancellationToken: TestContext.Current.CancellationToken).ResponseAsync);
        AssertNoConnection(failure);
    }

    /// <summary>
    /// No call reached the server: Grpc.Net.Client reports a refused TLS handshake as INTERNAL and a
    /// connection the server broke off as UNAVAILABLE (the aggregator counts either as an unreachable node).
    /// </summary>
    private static void AssertNoConnection(RpcException failure)
    {
        Assert.True(failure.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"{failure.StatusCode}: {failure.Status.Detail}");
        Assert.Contains("Error starting gRPC call", failure.Status.Detail, StringComparison.Ordinal);
    }

    private static Task<TestServer> StartRequiringAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 client)
    {
        var pinned = client.GetCertHash(HashAlgorithmName.SHA256);
        return TestServer.StartAsync(o => o with
        {
            ClientCertificates = ClientCertificateRequirement.Required,
            ClientCertificateValidator = (presented, _, _) => CryptographicOperations.FixedTimeEquals(presented.GetCertHash(HashAlgorithmName.SHA256), pinned),
        });
    }
}
