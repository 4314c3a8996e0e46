using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Threshold.Rpc.Client;
using Threshold.Rpc.Hosting;
using Threshold.Rpc.Tests.Protos;

namespace Threshold.Rpc.Tests;

/// <summary>Server trust (pin, private CA, system store) and mutual TLS.</summary>
public sealed class TlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MutualTlsAcceptsAKnownClientAndShowsItToTheHandler()
    {
        var node = TestCertificates.SelfSigned("node-1");
        await using var server = await StartRequiringClient(node);
        using var client = server.Client(new RpcClientOptions { ClientCertificate = node });
        var reply = await client.CallAsync(EchoService.Echo, new EchoRequest(), cancellationToken: Ct);
        Assert.Equal("CN=node-1", reply.ClientCertificateSubject);
    }

    [Fact]
    public async Task MutualTlsRefusesCallersWithoutOrWithAnUnknownCertificate()
    {
        await using var server = await StartRequiringClient(TestCertificates.SelfSigned("node-1"));
        using var anonymous = server.Client();
        Assert.Equal(RpcStatusCode.Unavailable, (await CallFails(anonymous)).StatusCode);
        using var stranger = server.Client(new RpcClientOptions { ClientCertificate = TestCertificates.SelfSigned("node-1") });
        Assert.Equal(RpcStatusCode.Unavailable, (await CallFails(stranger)).StatusCode);
    }

    [Fact]
    public async Task OptionalClientCertificateServesBothKindsOfCaller()
    {
        var node = TestCertificates.SelfSigned("node-2");
        await using var server = await TestServer.StartAsync(o => o with
        {
            ClientCertificates = ClientCertificateRequirement.Optional,
            ClientCertificateValidator = (presented, _, _) => presented.Thumbprint == node.Thumbprint,
        });
        using var anonymous = server.Client();
        Assert.Empty((await anonymous.CallAsync(EchoService.Echo, new EchoRequest(), cancellationToken: Ct)).ClientCertificateSubject);
        using var known = server.Client(new RpcClientOptions { ClientCertificate = node });
        Assert.Equal("CN=node-2", (await known.CallAsync(EchoService.Echo, new EchoRequest(), cancellationToken: Ct)).ClientCertificateSubject);
    }

    [Fact]
    public async Task ClientRefusesAServerOtherThanThePinnedOne()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.Client(new RpcClientOptions { PinnedServerCertificate = TestCertificates.SelfSigned() });
        Assert.Equal(RpcStatusCode.Unavailable, (await CallFails(client)).StatusCode);
    }

    [Fact]
    public async Task ClientTrustsServersIssuedByItsRootsOnly()
    {
        var authority = TestCertificates.Authority("Threshold test CA");
        await using var server = await TestServer.StartAsync(certificate: TestCertificates.IssuedBy(authority));
        using var trusting = server.Client(new RpcClientOptions { TrustedRoots = [authority] });
        Assert.Equal("ca", (await trusting.CallAsync(EchoService.Echo, new EchoRequest { Text = "ca" }, cancellationToken: Ct)).Text);

        using var otherRoot = server.Client(new RpcClientOptions { TrustedRoots = [TestCertificates.Authority("Another CA")] });
        Assert.Equal(RpcStatusCode.Unavailable, (await CallFails(otherRoot)).StatusCode);
    }

    [Fact]
    public void AnEmptySetOfRootsTrustsNoServerRatherThanTheSystemStore()
    {
        // Even a certificate the platform found valid (no policy errors) is refused: nothing chains to no root.
        var check = ServerCertificateCheck.Create(new RpcClientOptions { TrustedRoots = [] });
        Assert.NotNull(check);
        using var certificate = TestCertificates.IssuedBy(TestCertificates.Authority("Some CA"));
        Assert.False(check(this, certificate, null, global::System.Net.Security.SslPolicyErrors.None));
    }

    [Fact]
    public async Task SystemTrustRefusesASelfSignedServer()
    {
        await using var server = await TestServer.StartAsync();
        using var client = new RpcClient(server.Host.Address);
        Assert.Equal(RpcStatusCode.Unavailable, (await CallFails(client)).StatusCode);
    }

    private static Task<TestServer> StartRequiringClient(X509Certificate2 known)
    {
        var expected = known.GetCertHash(HashAlgorithmName.SHA256);
        return TestServer.StartAsync(o => o with
        {
            ClientCertificates = ClientCertificateRequirement.Required,
            ClientCertificateValidator = (presented, _, _) => presented.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(expected),
        });
    }

    private static Task<RpcException> CallFails(RpcClient client) =>
        Assert.ThrowsAsync<RpcException>(() => client.CallAsync(EchoService.Echo, new EchoRequest(), cancellationToken: Ct));
}
