// The cluster as the multi-server client sees it: n nodes, each run pairwise with OPAQUE (Lock-Keeper
// design extension notes, "MPC integration"), and the threshold t of logins a session needs.
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Cluster;

/// <summary>One node: its identifier (OPAQUE's server_identity) and, optionally, its pinned AKE public key.</summary>
/// <param name="NodeId">The node's identifier, for example "node-3" (1 to 255 bytes of UTF-8).</param>
/// <param name="PublicKey">The node's server_public_key if known in advance (for example from discovery); registration refuses any other.</param>
public sealed record NodeDescriptor(string NodeId, GroupElement? PublicKey = null)
{
    /// <summary>server_identity: the UTF-8 bytes of the node id.</summary>
    public byte[] IdentityBytes() => System.Text.Encoding.UTF8.GetBytes(NodeId);
}

/// <summary>
/// n nodes in a fixed order (node i has Shamir index i, counting from 1) and the login threshold t.
/// </summary>
public sealed class ClusterDescriptor
{
    /// <summary>Creates a cluster description.</summary>
    /// <exception cref="ArgumentException">Duplicate or empty node ids, or t outside 1..n.</exception>
    public ClusterDescriptor(IEnumerable<NodeDescriptor> nodes, int threshold)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Nodes = [.. nodes];
        if (Nodes.Count == 0 || Nodes.Count > 255)
        {
            throw new ArgumentException("a cluster has 1 to 255 nodes", nameof(nodes));
        }

        if (Nodes.Any(n => string.IsNullOrEmpty(n.NodeId) || n.IdentityBytes().Length > 255)
            || Nodes.Select(n => n.NodeId).Distinct(StringComparer.Ordinal).Count() != Nodes.Count)
        {
            throw new ArgumentException("node ids must be distinct, non-empty and at most 255 bytes", nameof(nodes));
        }

        if (threshold < 1 || threshold > Nodes.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), "the threshold t must lie in 1..n");
        }

        Threshold = threshold;
    }

    /// <summary>The nodes, in index order.</summary>
    public IReadOnlyList<NodeDescriptor> Nodes { get; }

    /// <summary>n.</summary>
    public int Count => Nodes.Count;

    /// <summary>t: how many nodes a login must authenticate with.</summary>
    public int Threshold { get; }

    /// <summary>The 1-based index of <paramref name="nodeId"/>, or 0 when it is not a member.</summary>
    public int IndexOf(string nodeId)
    {
        for (var i = 0; i < Nodes.Count; i++)
        {
            if (string.Equals(Nodes[i].NodeId, nodeId, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        return 0;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Threshold}-of-{Count} cluster ({string.Join(", ", Nodes.Select(n => n.NodeId))})";
}
