// Multi-server login: RFC 9807 §6 pairwise with each chosen node; success needs t authenticated nodes,
// whose sealed shares give back the client secret K (ExportKeySharing.cs) and so the export_key.
// One login is one attempt: one attempt id bound into every node's AKE context, and one OPRF blind, so
// every node sees the same blinded element and the attempt tests a single password.
using System.Security.Cryptography;
using Threshold.Opaque.Cluster;
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Client;

/// <summary>
/// A login with several nodes in progress: <see cref="Requests"/> (KE1 per node) go out; the answers come
/// back to <see cref="Finish"/>, which needs at least t authenticated nodes. Finish consumes the state.
/// </summary>
/// <remarks>
/// <para>
/// Every KE1 of the login carries the same <c>blinded_message = r·H(password)</c> (one blind r), with its
/// own nonce and ephemeral key share. The nodes check that the KE1s of one attempt agree (through the
/// consensus store), so a client cannot test a different password at each node under one charged
/// attempt: that would need two (password, blind) pairs with the same blinded element, that is a
/// discrete logarithm between two hash-to-curve outputs. The blinded element is still uniform and
/// independent of the password; the nodes only learn that their KE1s belong to one login, which the
/// attempt id tells them anyway.
/// </para>
/// <para>
/// Each node's AKE runs under <see cref="OpaqueConfiguration.ForAttempt"/> with the login's
/// <see cref="AttemptId"/>, so a KE2 made for one attempt does not verify under another.
/// </para>
/// </remarks>
public sealed class MultiServerLogin : IDisposable
{
    private readonly MultiServerClient client;
    private readonly byte[] attemptId;
    private Dictionary<string, ClientLogin>? perNode;

    internal MultiServerLogin(MultiServerClient client, UserId userId, ReadOnlySpan<byte> password, IReadOnlyList<string> nodeIds, RandomNumberGenerator rng)
    {
        this.client = client;
        UserId = userId;
        attemptId = new byte[NodeLoginRequest.AttemptIdLength];
        rng.GetBytes(attemptId);
        var configuration = client.Configuration.ForAttempt(attemptId);
        var suite = configuration.Suite;
        perNode = new Dictionary<string, ClientLogin>(StringComparer.Ordinal);
        var requests = new List<NodeLoginRequest>();
        using var blind = suite.Group.RandomScalar(rng);
        using var encodedBlind = blind.Serialize();
        var nonce = new byte[suite.NonceLength];
        var keyshareSeed = GC.AllocateArray<byte>(suite.SeedLength, pinned: true);
        try
        {
            foreach (var nodeId in nodeIds)
            {
                rng.GetBytes(nonce);
                rng.GetBytes(keyshareSeed);
                var login = ClientLogin.Start(configuration, password, CopyOf(suite.Group, encodedBlind), nonce, keyshareSeed);
                perNode[nodeId] = login;
                requests.Add(new NodeLoginRequest(nodeId, userId.ToString(), login.Message.Serialize(), [.. attemptId]));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyshareSeed);
        }

        Requests = requests;
    }

    /// <summary>The user logging in.</summary>
    public UserId UserId { get; }

    /// <summary>The attempt id (16 random bytes) every request of this login carries and every node's AKE binds.</summary>
    public ReadOnlySpan<byte> AttemptId => attemptId;

    /// <summary>KE1 for each chosen node.</summary>
    public IReadOnlyList<NodeLoginRequest> Requests { get; }

    /// <summary>
    /// Finishes with the nodes' answers (a missing answer counts as a failed node). Each node is run
    /// through GenerateKE3 (RFC 9807 §6.2.3) on its own; a node authenticates when its KE2 verifies and
    /// its sealed share opens under its export_key. With at least t such nodes, K is rebuilt from the t
    /// lowest-indexed shares, the others are checked against it, and the result holds KE3 for every
    /// authenticated node, their session keys and the export key. With fewer, the session keys and the
    /// export key are wiped, and only the KE3s of the nodes that did authenticate are released
    /// (<see cref="ThresholdNotMetException.Confirmations"/>): they prove the password to those nodes,
    /// so a right password is not counted as a failed guess when too few nodes answered.
    /// </summary>
    /// <exception cref="ThresholdNotMetException">Fewer than t nodes authenticated.</exception>
    public MultiServerLoginResult Finish(IEnumerable<NodeLoginResponse> responses)
    {
        ArgumentNullException.ThrowIfNull(responses);
        var states = Interlocked.Exchange(ref perNode, null) ?? throw new InvalidOperationException("this login was already finished");
        var cluster = client.Cluster;
        var suite = client.Configuration.Suite;
        var answers = responses
            .Where(r => states.ContainsKey(r.NodeId) && string.Equals(r.UserId, UserId.ToString(), StringComparison.Ordinal))
            .GroupBy(r => r.NodeId, StringComparer.Ordinal)
            .Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single(), StringComparer.Ordinal);

        var authenticated = new List<(string NodeId, ClientLoginResult Result, OpenedShare Share)>();
        try
        {
            // Every answer is checked, even when fewer than t came: the nodes that answered charged the
            // attempt, and only a KE3 gives it back.
            foreach (var (nodeId, login) in states.OrderBy(s => cluster.IndexOf(s.Key)))
            {
                if (answers.TryGetValue(nodeId, out var answer) && TryAuthenticate(nodeId, login, answer) is { } success)
                {
                    authenticated.Add(success);
                }
            }

            // Shares of one registration only (a node holding a stale record does not count).
            var registration = authenticated
                .GroupBy(a => Convert.ToHexString(a.Share.RegistrationId), StringComparer.Ordinal)
                .OrderByDescending(g => g.Count())
                .FirstOrDefault();
            var usable = registration?.ToList() ?? [];
            if (usable.Count < cluster.Threshold)
            {
                throw new ThresholdNotMetException(
                    cluster.Threshold,
                    [.. usable.Select(a => a.NodeId)],
                    [.. states.Keys.Except(usable.Select(a => a.NodeId), StringComparer.Ordinal).OrderBy(cluster.IndexOf)],
                    [.. authenticated.Select(a => new NodeLoginFinish(a.NodeId, UserId.ToString(), a.Result.Message.Serialize()))]);
            }

            using var secret = Reconstruct(usable, cluster.Threshold);
            var exportKey = ExportKeySharing.DeriveClientExportKey(suite, UserId, secret);
            var result = new MultiServerLoginResult(
                [.. usable.Select(a => new NodeLoginFinish(a.NodeId, UserId.ToString(), a.Result.Message.Serialize()))],
                usable.ToDictionary(a => a.NodeId, a => a.Result.SessionKey.Clone(), StringComparer.Ordinal),
                exportKey,
                [.. states.Keys.Except(usable.Select(a => a.NodeId), StringComparer.Ordinal).OrderBy(cluster.IndexOf)]);
            return result;
        }
        finally
        {
            foreach (var (_, result, share) in authenticated)
            {
                result.Dispose();
                share.Value.Dispose();
            }

            foreach (var state in states.Values)
            {
                state.Dispose();
            }
        }
    }

    /// <summary>Abandons the login: wipes every per-node state.</summary>
    public void Dispose()
    {
        var states = Interlocked.Exchange(ref perNode, null);
        foreach (var state in states?.Values ?? Enumerable.Empty<ClientLogin>())
        {
            state.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"MultiServerLogin({UserId}, {Requests.Count} nodes)";

    private (string NodeId, ClientLoginResult Result, OpenedShare Share)? TryAuthenticate(string nodeId, ClientLogin login, NodeLoginResponse answer)
    {
        var cluster = client.Cluster;
        var node = cluster.Nodes[cluster.IndexOf(nodeId) - 1];
        ClientLoginResult result;
        try
        {
            result = login.Finish(answer.KE2, MultiServerClient.Identities(UserId, nodeId));
        }
        catch (OpaqueAuthenticationException)
        {
            return null;
        }

        if (node.PublicKey is not null && !node.PublicKey.Equals(result.ServerPublicKey))
        {
            result.Dispose();
            return null;
        }

        var context = new ShareContext(client.Configuration.Suite, UserId, nodeId, cluster.IndexOf(nodeId), cluster.Threshold, cluster.Count);
        var share = ExportKeySharing.TryOpen(context, result.ExportKey, answer.SealedExportShare);
        if (share is null)
        {
            result.Dispose();
            return null;
        }

        return (nodeId, result, share);
    }

    /// <summary>A private copy of the login's blind for one node's OPRF state (each state wipes its own).</summary>
    private static GroupScalar CopyOf(IOprfGroup group, SecretBytes encodedBlind) => group.DeserializeScalar(encodedBlind.Span, "blind");

    private static Threshold.Secrets.SecretScalar Reconstruct(List<(string NodeId, ClientLoginResult Result, OpenedShare Share)> usable, int threshold)
    {
        var shares = usable.Select(a => a.Share).OrderBy(s => s.Index).ToList();
        var secret = ExportKeySharing.Combine(shares.Take(threshold).ToList());

        // Shares beyond t must lie on the same polynomial: t of them plus each extra one give K again.
        foreach (var extra in shares.Skip(threshold))
        {
            using var check = ExportKeySharing.Combine([.. shares.Take(threshold - 1), extra]);
            if (!check.Value.Equals(secret.Value))
            {
                secret.Dispose();
                throw new CryptographicException("the export-key shares of this registration are inconsistent");
            }
        }

        return secret;
    }
}

/// <summary>
/// The multi-server login's output: KE3 for each authenticated node (send them to finish those logins),
/// one session key per authenticated node, and the client's export key.
/// </summary>
public sealed class MultiServerLoginResult : IDisposable
{
    internal MultiServerLoginResult(
        IReadOnlyList<NodeLoginFinish> finishes, IReadOnlyDictionary<string, SecretBytes> sessionKeys, SecretBytes exportKey, IReadOnlyList<string> failedNodes)
    {
        Finishes = finishes;
        SessionKeys = sessionKeys;
        ExportKey = exportKey;
        FailedNodes = failedNodes;
    }

    /// <summary>KE3 for every authenticated node.</summary>
    public IReadOnlyList<NodeLoginFinish> Finishes { get; }

    /// <summary>session_key per authenticated node: k_i, shared with node i only (pairwise, independent).</summary>
    public IReadOnlyDictionary<string, SecretBytes> SessionKeys { get; }

    /// <summary>
    /// The client's export_key: HKDF over the secret K that registration split t-of-n across the nodes'
    /// OPAQUE export keys. The same after every login with any t or more nodes, and equal to
    /// <see cref="MultiServerRegistrationResult.ExportKey"/>; no node, and no t − 1 nodes together, learn it.
    /// </summary>
    public SecretBytes ExportKey { get; }

    /// <summary>The chosen nodes that did not authenticate (wrong answer, no answer, or an unusable share).</summary>
    public IReadOnlyList<string> FailedNodes { get; }

    /// <summary>Wipes the session keys and the export key.</summary>
    public void Dispose()
    {
        foreach (var key in SessionKeys.Values)
        {
            key.Dispose();
        }

        ExportKey.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"MultiServerLoginResult({SessionKeys.Count} sessions, export_key={ExportKey})";
}
