// Multi-server registration: RFC 9807 §5 with every node, then the export-key sharing of
// ExportKeySharing.cs so that any t later logins recover one client export_key.
using System.Security.Cryptography;
using Threshold.Opaque.Cluster;
using Threshold.Opaque.Messages;

namespace Threshold.Opaque.Client;

/// <summary>
/// A registration with all n nodes in progress: <see cref="Requests"/> go out, one response per node
/// comes back, <see cref="Finish"/> produces the uploads and the export key. Finish consumes the state.
/// </summary>
public sealed class MultiServerRegistration : IDisposable
{
    private readonly MultiServerClient client;
    private readonly RandomNumberGenerator rng;
    private Dictionary<string, ClientRegistration>? perNode;

    internal MultiServerRegistration(MultiServerClient client, UserId userId, ReadOnlySpan<byte> password, RandomNumberGenerator rng)
    {
        this.client = client;
        this.rng = rng;
        UserId = userId;
        perNode = new Dictionary<string, ClientRegistration>(StringComparer.Ordinal);
        var requests = new List<NodeRegistrationRequest>();
        try
        {
            foreach (var node in client.Cluster.Nodes)
            {
                var registration = ClientRegistration.Start(client.Configuration, password, rng);
                perNode[node.NodeId] = registration;
                requests.Add(new NodeRegistrationRequest(node.NodeId, userId.ToString(), registration.Request.Serialize()));
            }
        }
        catch
        {
            Dispose();
            throw;
        }

        Requests = requests;
    }

    /// <summary>The user being registered.</summary>
    public UserId UserId { get; }

    /// <summary>One request per node, in cluster order.</summary>
    public IReadOnlyList<NodeRegistrationRequest> Requests { get; }

    /// <summary>
    /// Finishes with every node's response: FinalizeRegistrationRequest per node (with client_identity =
    /// user id and server_identity = node id), then splits a fresh secret K t-of-n and seals share i under
    /// node i's export_key. Returns the uploads and the client export key derived from K.
    /// </summary>
    /// <exception cref="RegistrationException">A response is missing, duplicated, for another user or node, or from an unexpected key.</exception>
    /// <exception cref="DecodingException">A response does not decode.</exception>
    public MultiServerRegistrationResult Finish(IEnumerable<NodeRegistrationResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var states = Interlocked.Exchange(ref perNode, null) ?? throw new RegistrationException(RegistrationFailure.StateConsumed, null);
        var cluster = client.Cluster;
        var suite = client.Configuration.Suite;
        var exportKeys = new Dictionary<string, SecretBytes>(StringComparer.Ordinal);
        var records = new Dictionary<string, RegistrationRecord>(StringComparer.Ordinal);
        try
        {
            var byNode = Collect(responses, cluster);
            foreach (var node in cluster.Nodes)
            {
                var response = RegistrationResponse.Deserialize(suite, byNode[node.NodeId].Response);
                if (node.PublicKey is not null && !node.PublicKey.Equals(response.ServerPublicKey))
                {
                    throw new RegistrationException(RegistrationFailure.UnexpectedServerKey, node.NodeId);
                }

                using var result = states[node.NodeId].Finish(response, MultiServerClient.Identities(UserId, node.NodeId));
                records[node.NodeId] = result.Record;
                exportKeys[node.NodeId] = result.ExportKey.Clone();
            }

            // One secret for the client, t-of-n over the nodes' export keys.
            using var secret = ExportKeySharing.NewSecret(rng);
            var registrationId = new byte[ExportKeySharing.RegistrationIdLength];
            rng.GetBytes(registrationId);
            var shares = ExportKeySharing.Split(secret, cluster.Threshold, cluster.Count, rng);
            try
            {
                var uploads = cluster.Nodes.Select((node, i) =>
                {
                    var context = new ShareContext(suite, UserId, node.NodeId, i + 1, cluster.Threshold, cluster.Count);
                    var sealedShare = ExportKeySharing.Seal(context, exportKeys[node.NodeId], registrationId, shares[i], rng);
                    return new NodeRegistrationUpload(node.NodeId, UserId.ToString(), records[node.NodeId].Serialize(), sealedShare);
                }).ToList();
                return new MultiServerRegistrationResult(uploads, ExportKeySharing.DeriveClientExportKey(suite, UserId, secret));
            }
            finally
            {
                foreach (var share in shares)
                {
                    share.Dispose();
                }
            }
        }
        finally
        {
            foreach (var key in exportKeys.Values)
            {
                key.Dispose();
            }

            foreach (var state in states.Values)
            {
                state.Dispose();
            }
        }
    }

    /// <summary>Abandons the registration: wipes the password copies and blinds.</summary>
    public void Dispose()
    {
        var states = Interlocked.Exchange(ref perNode, null);
        foreach (var state in states?.Values ?? Enumerable.Empty<ClientRegistration>())
        {
            state.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"MultiServerRegistration({UserId}, {client.Cluster})";

    private Dictionary<string, NodeRegistrationResponse> Collect(IEnumerable<NodeRegistrationResponse> responses, ClusterDescriptor cluster)
    {
        var byNode = new Dictionary<string, NodeRegistrationResponse>(StringComparer.Ordinal);
        foreach (var response in responses)
        {
            if (cluster.IndexOf(response.NodeId) == 0 || byNode.ContainsKey(response.NodeId))
            {
                throw new RegistrationException(RegistrationFailure.NodeMismatch, response.NodeId);
            }

            if (!string.Equals(response.UserId, UserId.ToString(), StringComparison.Ordinal))
            {
                throw new RegistrationException(RegistrationFailure.UserMismatch, response.NodeId);
            }

            byNode[response.NodeId] = response;
        }

        var missing = cluster.Nodes.FirstOrDefault(n => !byNode.ContainsKey(n.NodeId));
        return missing is null ? byNode : throw new RegistrationException(RegistrationFailure.IncompleteResponses, missing.NodeId);
    }
}

/// <summary>The multi-server registration's output: one upload per node and the client's export key.</summary>
public sealed class MultiServerRegistrationResult : IDisposable
{
    internal MultiServerRegistrationResult(IReadOnlyList<NodeRegistrationUpload> uploads, SecretBytes exportKey)
    {
        Uploads = uploads;
        ExportKey = exportKey;
    }

    /// <summary>One upload per node, in cluster order (record and sealed export-key share).</summary>
    public IReadOnlyList<NodeRegistrationUpload> Uploads { get; }

    /// <summary>The client's export_key: the one every later login with any t nodes returns.</summary>
    public SecretBytes ExportKey { get; }

    /// <summary>Wipes the export key.</summary>
    public void Dispose() => ExportKey.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"MultiServerRegistrationResult({Uploads.Count} uploads, export_key={ExportKey})";
}
