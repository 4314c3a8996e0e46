using System.Security.Cryptography;

namespace Threshold.Client;

/// <summary>
/// One node's part of a logged-in session, as a wallet keeps it between processes. The session key is
/// the secret the channel's AES-256-GCM keys derive from: whoever has it can speak for the user to this
/// node until the session ends. The counters say where the channel stands; a counter must never be
/// sealed twice, so a holder resumes at <see cref="Sent"/> or above.
/// </summary>
public sealed class NodeSessionState
{
    /// <summary>Creates a node's session state (keeps the arrays given).</summary>
    public NodeSessionState(string nodeId, byte[] sessionId, byte[] sessionKey, ulong sent, ulong received, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        NodeId = nodeId;
        SessionId = sessionId ?? throw new ArgumentNullException(nameof(sessionId));
        SessionKey = sessionKey ?? throw new ArgumentNullException(nameof(sessionKey));
        Sent = sent;
        Received = received;
        ExpiresAt = expiresAt;
    }

    /// <summary>The node.</summary>
    public string NodeId { get; }

    /// <summary>The session's id at the node (not secret).</summary>
    public byte[] SessionId { get; }

    /// <summary>The OPAQUE session key with the node (secret).</summary>
    public byte[] SessionKey { get; }

    /// <summary>The counter of the last message sealed to the node.</summary>
    public ulong Sent { get; }

    /// <summary>The counter of the last message accepted from the node.</summary>
    public ulong Received { get; }

    /// <summary>When the node ends the session at the latest (it may end it earlier when idle).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Names the node and session only.</summary>
    public override string ToString() => $"NodeSessionState({NodeId}, {Convert.ToHexStringLower(SessionId)}, sent {Sent}, received {Received})";
}

/// <summary>
/// A logged-in session to carry from one process to the next (<see cref="ThresholdClient.ExportSession"/>,
/// <see cref="ThresholdClient.ResumeSession"/>). Holds secrets: <see cref="Dispose"/> wipes them, and
/// <see cref="ToString"/> shows none.
/// </summary>
public sealed class WalletSession(string userId, IReadOnlyList<NodeSessionState> nodes) : IDisposable
{
    /// <summary>The user.</summary>
    public string UserId { get; } = userId ?? throw new ArgumentNullException(nameof(userId));

    /// <summary>Each node's part.</summary>
    public IReadOnlyList<NodeSessionState> Nodes { get; } = nodes ?? throw new ArgumentNullException(nameof(nodes));

    /// <summary>The earliest time a node ends its part.</summary>
    public DateTimeOffset ExpiresAt => Nodes.Count == 0 ? DateTimeOffset.MinValue : Nodes.Min(n => n.ExpiresAt);

    /// <summary>Wipes every session key.</summary>
    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            CryptographicOperations.ZeroMemory(node.SessionKey);
        }
    }

    /// <summary>Names the user and nodes only.</summary>
    public override string ToString() => $"WalletSession({UserId}, {string.Join(", ", Nodes.Select(n => n.NodeId))})";
}
