// The node's state between the two halves of registration (RFC 9807 §5) and of login (§6): each is
// returned to the caller (the session layer keeps it) and consumed by the matching Finish.
using Threshold.Opaque.Cluster;

namespace Threshold.Opaque.Server;

/// <summary>
/// A registration started at a node: bound to one user, holding the user_seed drawn for them. Consumed
/// by <see cref="OpaqueNode.FinishRegistration"/>; disposing abandons it and wipes the seed.
/// </summary>
public sealed class PendingRegistration : IDisposable
{
    private SecretBytes? userSeed;

    internal PendingRegistration(string nodeId, UserId userId, SecretBytes userSeed)
    {
        NodeId = nodeId;
        UserId = userId;
        this.userSeed = userSeed;
    }

    /// <summary>The node that started it.</summary>
    public string NodeId { get; }

    /// <summary>The user being registered.</summary>
    public UserId UserId { get; }

    /// <summary>Takes the seed out (once); null when already consumed.</summary>
    internal SecretBytes? Take() => Interlocked.Exchange(ref userSeed, null);

    /// <summary>Abandons the registration.</summary>
    public void Dispose() => Take()?.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"PendingRegistration({NodeId}, {UserId})";
}

/// <summary>
/// A login started at a node: KE2 has gone out, the server's AKE state waits for KE3. Consumed by
/// <see cref="OpaqueNode.FinishLogin"/> whatever the outcome, so a KE3 cannot be replayed against it.
/// </summary>
public sealed class PendingLogin : IDisposable
{
    internal PendingLogin(string nodeId, UserId userId, ServerLogin login)
    {
        NodeId = nodeId;
        UserId = userId;
        Login = login;
    }

    /// <summary>The node that started it.</summary>
    public string NodeId { get; }

    /// <summary>The user (registered or not: the state of a fake login looks the same).</summary>
    public UserId UserId { get; }

    internal ServerLogin Login { get; }

    /// <summary>Abandons the login (for example when KE3 never comes: count it as a failure).</summary>
    public void Dispose() => Login.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"PendingLogin({NodeId}, {UserId})";
}

/// <summary>A node's side of a completed login: the session key k_i it shares with the client.</summary>
public sealed class NodeSession : IDisposable
{
    internal NodeSession(string nodeId, UserId userId, SecretBytes sessionKey)
    {
        NodeId = nodeId;
        UserId = userId;
        SessionKey = sessionKey;
    }

    /// <summary>The node.</summary>
    public string NodeId { get; }

    /// <summary>The authenticated user.</summary>
    public UserId UserId { get; }

    /// <summary>session_key (Nx bytes), equal to the client's key for this node.</summary>
    public SecretBytes SessionKey { get; }

    /// <summary>Wipes the session key.</summary>
    public void Dispose() => SessionKey.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"NodeSession({NodeId}, {UserId}, {SessionKey})";
}
