using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Threshold.Node.Identity;
using Threshold.Opaque;
using Threshold.Opaque.Server;
using Threshold.Paillier;
using Threshold.Primes;
using Threshold.Server.Rpc;
using Threshold.Storage;

using Threshold.Storage.Consensus;

namespace Threshold.Server.Hosting;

/// <summary>
/// <c>threshold cluster init</c>: makes everything a loopback cluster of n nodes and an aggregator needs —
/// each node's sealed store holding its identity keys, OPAQUE setup and TLS key, a pool of safe primes
/// per node, the aggregator's certificates, cluster.json and one configuration file per process.
/// </summary>
public static class ClusterInit
{
    internal const string TlsCertificateFile = "tls.p12";
    internal const string ClientCertificateFile = "client.p12";

    /// <summary>The placeholder in a PostgreSQL connection template that becomes each node's party number.</summary>
    public const string PartyPlaceholder = "{party}";

    /// <summary>Initialises a cluster in <paramref name="directory"/>; returns the path of cluster.json.</summary>
    /// <param name="directory">Where the files go.</param>
    /// <param name="nodes">n.</param>
    /// <param name="threshold">t.</param>
    /// <param name="basePort">The aggregator listens here, node i on base + i.</param>
    /// <param name="level">Paillier level.</param>
    /// <param name="progress">Progress messages.</param>
    /// <param name="primes">Safe primes to use instead of generating them (tests).</param>
    /// <param name="postgres">
    /// Store each node in PostgreSQL instead of SQLite: a connection string in which
    /// <see cref="PartyPlaceholder"/> becomes the node's party number, so that each node gets a database
    /// or schema of its own (e.g. <c>Host=db;Username=threshold;Database=threshold;Search Path=node{party}</c>).
    /// The databases and schemas must exist.
    /// </param>
    /// <param name="cancellationToken">Cancels.</param>
    public static async Task<string> CreateAsync(
        string directory,
        int nodes,
        int threshold,
        int basePort,
        SecurityLevel level,
        IProgress<string>? progress = null,
        PrimePool? primes = null,
        string? postgres = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(threshold, nodes);
        ArgumentNullException.ThrowIfNull(level);
        if (postgres is not null && nodes > 1 && !postgres.Contains(PartyPlaceholder, StringComparison.Ordinal))
        {
            throw new ArgumentException($"the PostgreSQL connection string must contain {PartyPlaceholder} so that each node has a database or schema of its own", nameof(postgres));
        }

        Directory.CreateDirectory(directory);
        var clusterPath = Path.Combine(directory, "cluster.json");
        var consensus = Path.Combine(directory, "consensus.db");
        var suite = OpaqueSuite.Ristretto255Sha512;

        var aggregatorDirectory = Path.Combine(directory, "aggregator");
        Directory.CreateDirectory(aggregatorDirectory);
        using var aggregatorTls = SelfSignedCertificate.Create("threshold-aggregator");
        using var aggregatorClient = SelfSignedCertificate.Create("threshold-aggregator-client");
        WriteSecret(Path.Combine(aggregatorDirectory, TlsCertificateFile), aggregatorTls.Export(X509ContentType.Pkcs12));
        WriteSecret(Path.Combine(aggregatorDirectory, ClientCertificateFile), aggregatorClient.Export(X509ContentType.Pkcs12));

        var entries = new List<ClusterNodeEntry>();
        for (var party = 1; party <= nodes; party++)
        {
            var nodeId = $"node-{party}";
            progress?.Report($"creating {nodeId}");
            var connection = postgres?.Replace(PartyPlaceholder, party.ToString(global::System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var config = new NodeConfig(nodeId, "cluster.json", nodeId, $"127.0.0.1:{basePort + party}", connection, ConsensusFile: "consensus.db", LoginRefillInterval: LoginBudgetPolicy.Default.RefillInterval, Level: level.Name);
            var resolved = config with { ClusterFile = clusterPath, DataDirectory = Path.Combine(directory, nodeId), ConsensusFile = consensus };
            using var identity = NodeIdentity.Create(nodeId, party);
            using var tls = SelfSignedCertificate.Create(nodeId);
            using var setup = ServerSetup.Generate(suite, RandomNumberGenerator.Create());
            var secrets = new NodeSecrets(identity, setup, tls.Export(X509ContentType.Pkcs12)).Encode();
            await using (var store = await NodeRuntime.OpenStoreAsync(resolved, cancellationToken).ConfigureAwait(false))
            {
                await store.PutAsync(NodeRuntime.NodeTable, NodeRuntime.IdentityId, "", secrets, IKeyStore.Absent, cancellationToken).ConfigureAwait(false);
            }

            CryptographicOperations.ZeroMemory(secrets);
            var pool = new PrimePool();
            for (var p = 0; p < 2; p++)
            {
                progress?.Report($"safe prime {p + 1}/2 for {nodeId}");
                using var prime = primes?.Take(level.PrimeBits, cancellationToken) ?? new Threshold.Secrets.SecretBigInteger(await SafePrimes.GenerateAsync(level.PrimeBits, cancellationToken: cancellationToken).ConfigureAwait(false));
                pool.Add(level.PrimeBits, prime.Value);
            }

            pool.Save(NodeRuntime.PrimesPath(resolved));
            ClusterFiles.Save(Path.Combine(directory, $"{nodeId}.json"), config);
            entries.Add(new ClusterNodeEntry(
                nodeId,
                party,
                $"https://127.0.0.1:{basePort + party}",
                Convert.ToBase64String(identity.SigningPublicKey),
                Convert.ToBase64String(identity.AgreementPublicKey),
                tls.ExportCertificatePem(),
                Convert.ToBase64String(setup.AkeKeyPair.PublicKey.Serialize())));
        }

        new ClusterFile(threshold, suite.Name, entries, new ClusterAggregatorEntry($"https://127.0.0.1:{basePort}", aggregatorTls.ExportCertificatePem(), aggregatorClient.ExportCertificatePem()), level.Name).Save(clusterPath);
        ClusterFiles.Save(Path.Combine(directory, "aggregator.json"), new AggregatorConfig("cluster.json", "aggregator", $"127.0.0.1:{basePort}"));
        File.WriteAllText(Path.Combine(directory, "aggregator.pem"), aggregatorTls.ExportCertificatePem());
        return clusterPath;
    }

    private static void WriteSecret(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var file = new FileStream(path, options);
        file.Write(bytes);
        CryptographicOperations.ZeroMemory(bytes);
    }
}
