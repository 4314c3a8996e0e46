using System.Security.Cryptography;
using Threshold.Contracts;
using Threshold.Rounds.Signing;

namespace Threshold.Node.Identity;

/// <summary>One node of the cluster as everyone knows it: name, party index and public keys.</summary>
/// <param name="NodeId">Name.</param>
/// <param name="Party">Party index (1-based).</param>
/// <param name="SigningKey">SubjectPublicKeyInfo of its ECDSA P-256 message-signing key.</param>
/// <param name="AgreementKey">SubjectPublicKeyInfo of its ECDH P-256 key.</param>
public sealed record ClusterMember(string NodeId, int Party, byte[] SigningKey, byte[] AgreementKey);

/// <summary>
/// The cluster's membership: every node's public keys, the directory protocol messages are verified
/// against, and the 6-digit fingerprint users compare out of band.
/// </summary>
public sealed class ClusterMembers : IPartyDirectory, IDisposable
{
    private readonly EcdsaPartyKeys directory;

    /// <summary>The members, with distinct names and party indices.</summary>
    public ClusterMembers(IReadOnlyList<ClusterMember> members, int threshold)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0 || members.Select(m => m.Party).Distinct().Count() != members.Count || members.Select(m => m.NodeId).Distinct().Count() != members.Count)
        {
            throw new ArgumentException("members need distinct names and party indices", nameof(members));
        }

        if (threshold < 1 || threshold > members.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold));
        }

        Members = [.. members.OrderBy(m => m.Party)];
        Threshold = threshold;
        directory = new EcdsaPartyKeys(members.ToDictionary(m => m.Party, m => m.SigningKey));
    }

    /// <summary>Every node, by party index.</summary>
    public IReadOnlyList<ClusterMember> Members { get; }

    /// <summary>t.</summary>
    public int Threshold { get; }

    /// <summary>n.</summary>
    public int Count => Members.Count;

    /// <summary>The member with party index <paramref name="party"/>.</summary>
    public ClusterMember ByParty(int party) => Members.FirstOrDefault(m => m.Party == party) ?? throw new KeyNotFoundException($"no party {party}");

    /// <summary>The member called <paramref name="nodeId"/>.</summary>
    public ClusterMember ByName(string nodeId) => Members.FirstOrDefault(m => m.NodeId == nodeId) ?? throw new KeyNotFoundException($"no node {nodeId}");

    /// <inheritdoc />
    public bool Verify(int party, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature) => directory.Verify(party, digest, signature);

    /// <inheritdoc />
    public void Dispose() => directory.Dispose();
}
