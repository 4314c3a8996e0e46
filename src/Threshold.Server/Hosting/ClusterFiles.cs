using System.Text.Json;
using System.Text.Json.Serialization;
using Threshold.Storage.Consensus;

namespace Threshold.Server.Hosting;

/// <summary>One node as the cluster file describes it: everything others need to reach and verify it.</summary>
/// <param name="NodeId">Its name.</param>
/// <param name="Party">Its party index.</param>
/// <param name="Address">Where it serves (https://host:port).</param>
/// <param name="SigningKey">Its message-signing public key (SubjectPublicKeyInfo, base64).</param>
/// <param name="AgreementKey">Its ECDH public key (SubjectPublicKeyInfo, base64).</param>
/// <param name="TlsCertificate">Its TLS certificate (PEM), which the aggregator pins.</param>
/// <param name="OpaqueServerKey">
/// Its OPAQUE AKE public key (base64), so the aggregator can describe the node to wallets while it is
/// down. Files written before it was added lack it; the aggregator then asks the node at start-up.
/// </param>
public sealed record ClusterNodeEntry(
    string NodeId,
    int Party,
    string Address,
    string SigningKey,
    string AgreementKey,
    string TlsCertificate,
    string? OpaqueServerKey = null);

/// <summary>The aggregator as the cluster file describes it.</summary>
public sealed record ClusterAggregatorEntry(string Address, string TlsCertificate, string ClientCertificate);

/// <summary>
/// <c>cluster.json</c>: the public description of a cluster (made by <c>threshold cluster init</c>):
/// threshold, OPAQUE suite, every node's address and public keys (signing, agreement, TLS), and the
/// aggregator's certificates. Nodes pin the aggregator's client certificate; the aggregator pins the nodes'.
/// </summary>
/// <param name="Threshold">t.</param>
/// <param name="OpaqueSuite">The OPAQUE suite of every node.</param>
/// <param name="Nodes">Every node.</param>
/// <param name="Aggregator">The aggregator.</param>
/// <param name="Level">The Paillier level every node runs aux-info at ("2048" or "3072"); bound into every run.</param>
public sealed record ClusterFile(int Threshold, string OpaqueSuite, IReadOnlyList<ClusterNodeEntry> Nodes, ClusterAggregatorEntry Aggregator, string Level = "2048")
{
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Reads a cluster file.</summary>
    /// <exception cref="JsonException">Not JSON of this shape.</exception>
    /// <exception cref="InvalidDataException">Not a cluster file.</exception>
    public static ClusterFile Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Decodes the text of a cluster file (<paramref name="source"/> names it in errors).</summary>
    /// <exception cref="JsonException">Not JSON of this shape.</exception>
    /// <exception cref="InvalidDataException">Not a cluster file.</exception>
    public static ClusterFile Parse(string json, string source) =>
        JsonSerializer.Deserialize<ClusterFile>(json, Json) ?? throw new InvalidDataException($"{source} is not a cluster file");

    /// <summary>Writes the cluster file.</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}

/// <summary>How a node reaches the cluster's etcd (the consensus store across machines).</summary>
/// <param name="Endpoints">The etcd members' client URLs (https://host:port).</param>
/// <param name="ClientCertificate">PEM file of the node's etcd client certificate; its CN is the node id (its etcd user).</param>
/// <param name="ClientKey">PEM file of that certificate's private key.</param>
/// <param name="TrustedCa">PEM file of the CA that issued the etcd members' certificates.</param>
/// <param name="Prefix">The key prefix of this cluster.</param>
/// <param name="CallTimeoutSeconds">How long one etcd call may wait for a quorum; past it the node refuses the login (or the signature).</param>
public sealed record EtcdConsensusConfig(
    IReadOnlyList<string> Endpoints,
    string ClientCertificate,
    string ClientKey,
    string TrustedCa,
    string Prefix = "/threshold/v1/",
    double CallTimeoutSeconds = 5);

/// <summary><c>node-N.json</c>: how one node runs.</summary>
/// <param name="NodeId">Its name in the cluster file.</param>
/// <param name="ClusterFile">Path of cluster.json.</param>
/// <param name="DataDirectory">Where its storage key and (for SQLite) database live.</param>
/// <param name="Listen">Address to listen on, e.g. 127.0.0.1:7101.</param>
/// <param name="PostgresConnectionString">Use PostgreSQL instead of SQLite when set.</param>
/// <param name="ConsensusFile">The consensus store shared by the cluster's nodes on one host (a SQLite file); ignored when <paramref name="Etcd"/> is set.</param>
/// <param name="LoginBurst">The login budget's burst: attempts a user may make at once (the cluster's, kept in the consensus store).</param>
/// <param name="LoginRefillInterval">The time in which a user wins one attempt back, e.g. "08:00:00".</param>
/// <param name="Level">Paillier level, "2048" or "3072".</param>
/// <param name="HeartbeatSeconds">
/// How often the node publishes its state version and a heartbeat in the background while that works
/// (failures are retried sooner, with backoff). Signing does not wait for it: the version is published
/// before every partial signature leaves.
/// </param>
/// <param name="Reflection">Whether gRPC server reflection lists the node's services (off by default: a node
/// answers only the aggregator, which knows the contract).</param>
/// <param name="Etcd">The cluster's etcd, when the consensus store is etcd (nodes on separate machines).</param>
public sealed record NodeConfig(
    string NodeId,
    string ClusterFile,
    string DataDirectory,
    string Listen,
    string? PostgresConnectionString = null,
    string? ConsensusFile = null,
    int LoginBurst = 10,
    TimeSpan? LoginRefillInterval = null,
    string Level = "2048",
    double HeartbeatSeconds = 1,
    bool Reflection = false,
    EtcdConsensusConfig? Etcd = null)
{
    /// <summary>The login budget this configuration asks for (the defaults of <see cref="LoginBudgetPolicy.Default"/> where unset).</summary>
    [JsonIgnore]
    public LoginBudgetPolicy LoginBudget => new(LoginBurst, LoginRefillInterval ?? LoginBudgetPolicy.Default.RefillInterval, LoginBudgetPolicy.Default.AttemptLifetime);

    /// <summary>Reads a node configuration; relative paths are taken from the file's directory.</summary>
    /// <exception cref="JsonException">Not JSON of this shape.</exception>
    /// <exception cref="InvalidDataException">Not a node configuration.</exception>
    public static NodeConfig Load(string path) => Parse(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path))!, path);

    /// <summary>Decodes the text of a node configuration; relative paths are taken from <paramref name="directory"/>.</summary>
    /// <exception cref="JsonException">Not JSON of this shape.</exception>
    /// <exception cref="InvalidDataException">Not a node configuration.</exception>
    public static NodeConfig Parse(string json, string directory, string source)
    {
        var config = JsonSerializer.Deserialize<NodeConfig>(json, ClusterFiles.Json) ?? throw new InvalidDataException($"{source} is not a node configuration");
        ClusterFiles.Require(source, ("nodeId", config.NodeId), ("clusterFile", config.ClusterFile), ("dataDirectory", config.DataDirectory), ("listen", config.Listen));
        return config with
        {
            ClusterFile = Path.GetFullPath(config.ClusterFile, directory),
            DataDirectory = Path.GetFullPath(config.DataDirectory, directory),
            ConsensusFile = config.ConsensusFile is null ? null : Path.GetFullPath(config.ConsensusFile, directory),
            Etcd = config.Etcd is not { } etcd ? null : etcd with
            {
                ClientCertificate = Path.GetFullPath(etcd.ClientCertificate, directory),
                ClientKey = Path.GetFullPath(etcd.ClientKey, directory),
                TrustedCa = Path.GetFullPath(etcd.TrustedCa, directory),
            },
        };
    }
}

/// <summary><c>aggregator.json</c>: how the aggregator runs.</summary>
/// <param name="ClusterFile">Path of cluster.json.</param>
/// <param name="DataDirectory">Where its TLS and client certificates (PKCS#12, mode 0600) live.</param>
/// <param name="Listen">Address to listen on.</param>
/// <param name="PoolTarget">Presignatures kept ready per key at least.</param>
/// <param name="RateLimits">Limits on registration and login calls per client address and per user (<see cref="Rpc.WalletRateLimits.Default"/> when absent).</param>
/// <param name="PoolMaxTarget">Presignatures kept ready per key at most, however fast it signs (the aggregator's default when absent).</param>
/// <param name="PoolConcurrentRuns">Background presigning runs in flight at once per key.</param>
/// <param name="CallTimeoutSeconds">The deadline of each call to a node. Operations do not wait for it while
/// enough other nodes answer (a quorum and a short grace); it bounds only what cannot proceed without the node.</param>
/// <param name="CorsOrigins">Browser origins (e.g. "https://wallet.example") allowed to call the wallet API
/// cross-origin with gRPC-Web or HTTP/JSON; none when absent. Exact matches, no wildcards.</param>
/// <param name="Reflection">Whether gRPC server reflection lists the wallet API (on by default: it is the public contract).</param>
public sealed record AggregatorConfig(string ClusterFile, string DataDirectory, string Listen, int PoolTarget = 4, Rpc.WalletRateLimits? RateLimits = null, int? PoolMaxTarget = null, int PoolConcurrentRuns = 2, int CallTimeoutSeconds = 30, IReadOnlyList<string>? CorsOrigins = null, bool Reflection = true)
{
    /// <summary>Reads an aggregator configuration; relative paths are taken from the file's directory.</summary>
    /// <exception cref="JsonException">Not JSON of this shape.</exception>
    /// <exception cref="InvalidDataException">Not an aggregator configuration.</exception>
    public static AggregatorConfig Load(string path) => Parse(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path))!, path);

    /// <summary>Decodes the text of an aggregator configuration; relative paths are taken from <paramref name="directory"/>.</summary>
    /// <exception cref="JsonException">Not JSON of this shape.</exception>
    /// <exception cref="InvalidDataException">Not an aggregator configuration.</exception>
    public static AggregatorConfig Parse(string json, string directory, string source)
    {
        var config = JsonSerializer.Deserialize<AggregatorConfig>(json, ClusterFiles.Json) ?? throw new InvalidDataException($"{source} is not an aggregator configuration");
        ClusterFiles.Require(source, ("clusterFile", config.ClusterFile), ("dataDirectory", config.DataDirectory), ("listen", config.Listen));
        return config with { ClusterFile = Path.GetFullPath(config.ClusterFile, directory), DataDirectory = Path.GetFullPath(config.DataDirectory, directory) };
    }
}

/// <summary>Shared JSON settings.</summary>
internal static class ClusterFiles
{
    public static JsonSerializerOptions Json => ClusterFile.Json;

    public static void Save<T>(string path, T value) => File.WriteAllText(path, JsonSerializer.Serialize(value, Json));

    /// <summary>
    /// Refuses a file that leaves out a required setting: System.Text.Json leaves a missing
    /// non-nullable string null, which would otherwise fail later as an argument error.
    /// </summary>
    /// <exception cref="InvalidDataException">A setting is missing.</exception>
    public static void Require(string source, params (string Name, string? Value)[] settings)
    {
        foreach (var (name, value) in settings)
        {
            if (value is null)
            {
                throw new InvalidDataException($"{source}: '{name}' is missing");
            }
        }
    }
}
