using System.Security.Cryptography;
using Threshold.Aggregator;
using Threshold.Client;
using Threshold.Contracts.V1;
using Threshold.Node;
using Threshold.Node.Identity;
using Threshold.Node.Sessions;
using Threshold.Node.Storage;
using Threshold.Opaque;
using Threshold.Opaque.Ksf;
using Threshold.Opaque.Server;
using Threshold.Testing;

namespace Threshold.System.Tests;

/// <summary>n nodes and an aggregator in this process, wired directly (no sockets).</summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private InProcessCluster(List<NodeService> nodes, List<InMemoryNodeVault> vaults, AggregatorService aggregator, OpaqueConfiguration opaque)
    {
        Nodes = nodes;
        Vaults = vaults;
        Aggregator = aggregator;
        Opaque = opaque;
    }

    public List<NodeService> Nodes { get; }

    public List<InMemoryNodeVault> Vaults { get; }

    public AggregatorService Aggregator { get; }

    public OpaqueConfiguration Opaque { get; }

    public static async Task<InProcessCluster> StartAsync(int n, int t, int loginLimit = 10, int poolTarget = 2)
    {
        var opaque = new OpaqueConfiguration(OpaqueSuite.Ristretto255Sha512, new Argon2idKsf(Argon2idProfile.Test), OpaqueConfiguration.DefaultContext);
        var identities = Enumerable.Range(1, n).Select(i => NodeIdentity.Create($"node-{i}", i)).ToList();
        var members = new ClusterMembers([.. identities.Select(i => new ClusterMember(i.NodeId, i.Party, i.SigningPublicKey, i.AgreementPublicKey))], t);
        var pool = TestPrimes.Pool();
        var vaults = new List<InMemoryNodeVault>();
        var nodes = identities.Select(identity =>
        {
            var vault = new InMemoryNodeVault();
            vaults.Add(vault);
            return new NodeService(new NodeOptions
            {
                Identity = identity,
                Members = members,
                Opaque = opaque,
                OpaqueSetup = ServerSetup.Generate(opaque.Suite, RandomNumberGenerator.Create()),
                Users = new InMemoryRegistrationRecordStore(),
                Vault = vault,
                LoginBudget = new LocalLoginBudget(loginLimit),
                Primes = pool,
            });
        }).ToList();
        var aggregator = new AggregatorService(new AggregatorOptions
        {
            Nodes = [.. nodes.Select(node => new InProcessNodeClient(node))],
            Threshold = t,
            PoolTarget = poolTarget,
        });
        await aggregator.InitializeAsync(TestContext.Current.CancellationToken);
        return new InProcessCluster(nodes, vaults, aggregator, opaque);
    }

    public ThresholdClient Client() => new(new InProcessWalletApi(Aggregator), Opaque);

    public async ValueTask DisposeAsync()
    {
        await Aggregator.DisposeAsync();
        foreach (var node in Nodes)
        {
            node.Dispose();
        }
    }
}

/// <summary>The wallet API in process.</summary>
internal sealed class InProcessWalletApi(AggregatorService aggregator) : IWalletApi
{
    public Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken) => Task.FromResult(aggregator.GetClusterInfo());

    public Task<RegisterStartResponse> RegisterStartAsync(RegisterStartRequest request, CancellationToken cancellationToken) => aggregator.RegisterStartAsync(request, cancellationToken);

    public Task<RegisterFinishResponse> RegisterFinishAsync(RegisterFinishRequest request, CancellationToken cancellationToken) => aggregator.RegisterFinishAsync(request, cancellationToken);

    public Task<LoginStartResponse> LoginStartAsync(LoginStartRequest request, CancellationToken cancellationToken) => aggregator.LoginStartAsync(request, cancellationToken);

    public Task<LoginFinishResponse> LoginFinishAsync(LoginFinishRequest request, CancellationToken cancellationToken) => aggregator.LoginFinishAsync(request, cancellationToken);

    public Task<GenerateKeyResponse> GenerateKeyAsync(GenerateKeyRequest request, CancellationToken cancellationToken) => aggregator.GenerateKeyAsync(request, cancellationToken);

    public Task<GetPublicKeyResponse> GetPublicKeyAsync(GetPublicKeyRequest request, CancellationToken cancellationToken) => aggregator.GetPublicKeyAsync(request, cancellationToken);

    public Task<SignResponse> SignAsync(SignRequest request, CancellationToken cancellationToken) => aggregator.SignAsync(request, cancellationToken);

    public Task<LogoutResponse> LogoutAsync(LogoutRequest request, CancellationToken cancellationToken) => aggregator.LogoutAsync(request, cancellationToken);
}
