// The multi-server OPAQUE client of the Lock-Keeper design extension notes ("MPC integration"): the
// client registers with each of the n nodes and logs in to any t of them, running RFC 9807 pairwise.
using System.Security.Cryptography;
using Threshold.Opaque.Cluster;

namespace Threshold.Opaque.Client;

/// <summary>
/// Registers a user with all n nodes of a cluster and logs in to any t or more, pairwise with each
/// node. A login yields one session key per authenticated node and the client's single export_key
/// (see <see cref="MultiServerLoginResult.ExportKey"/>). Pure: the caller carries messages to nodes.
/// </summary>
public sealed class MultiServerClient
{
    private readonly RandomNumberGenerator rng;

    /// <summary>A client for <paramref name="cluster"/> under <paramref name="configuration"/>.</summary>
    public MultiServerClient(OpaqueConfiguration configuration, ClusterDescriptor cluster, RandomNumberGenerator rng)
    {
        Configuration = configuration ?? throw new ArgumentNullException(nameof(configuration));
        Cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
        this.rng = rng ?? throw new ArgumentNullException(nameof(rng));
        foreach (var node in cluster.Nodes)
        {
            if (node.PublicKey is not null && !ReferenceEquals(node.PublicKey.Group, configuration.Suite.Group))
            {
                throw new ArgumentException($"node {node.NodeId} has a key of another group", nameof(cluster));
            }
        }
    }

    /// <summary>The configuration shared with every node.</summary>
    public OpaqueConfiguration Configuration { get; }

    /// <summary>The cluster.</summary>
    public ClusterDescriptor Cluster { get; }

    /// <summary>Starts registering <paramref name="userId"/> with every node (one blinded request each).</summary>
    public MultiServerRegistration StartRegistration(UserId userId, ReadOnlySpan<byte> password)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return new MultiServerRegistration(this, userId, password, rng);
    }

    /// <summary>
    /// Starts a login of <paramref name="userId"/> with the nodes named (all nodes when null). At least
    /// t nodes must answer and authenticate for <see cref="MultiServerLogin.Finish"/> to succeed.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown or repeated node id, or no node at all.</exception>
    public MultiServerLogin StartLogin(UserId userId, ReadOnlySpan<byte> password, IEnumerable<string>? nodeIds = null)
    {
        ArgumentNullException.ThrowIfNull(userId);
        var chosen = nodeIds?.ToList() ?? [.. Cluster.Nodes.Select(n => n.NodeId)];
        if (chosen.Count == 0 || chosen.Distinct(StringComparer.Ordinal).Count() != chosen.Count || chosen.Any(id => Cluster.IndexOf(id) == 0))
        {
            throw new ArgumentException("choose one or more distinct nodes of the cluster", nameof(nodeIds));
        }

        return new MultiServerLogin(this, userId, password, chosen, rng);
    }

    /// <summary>The identities bound with one node: client_identity = user id, server_identity = node id.</summary>
    internal static PartyIdentities Identities(UserId userId, string nodeId) =>
        new(userId.ToBytes(), System.Text.Encoding.UTF8.GetBytes(nodeId));
}
