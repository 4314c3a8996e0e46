// The multi-server login's one failure: fewer than t nodes authenticated. Says which nodes did and did
// not (the client knows that anyway), never why a node failed: every per-node failure is the same
// OpaqueAuthenticationException.
using System.Security.Cryptography;

namespace Threshold.Opaque.Client;

/// <summary>
/// A multi-server login reached fewer than t authenticated nodes: no session key and no export key was
/// released, only KE3 for the nodes that authenticated (<see cref="Confirmations"/>).
/// </summary>
public sealed class ThresholdNotMetException : CryptographicException
{
    /// <summary>Creates the error.</summary>
    public ThresholdNotMetException(int threshold, IReadOnlyList<string> authenticated, IReadOnlyList<string> failed, IReadOnlyList<Cluster.NodeLoginFinish>? confirmations = null)
        : base(Describe(threshold, authenticated, failed))
    {
        Threshold = threshold;
        Authenticated = authenticated;
        Failed = failed;
        Confirmations = confirmations ?? [];
    }

    /// <summary>
    /// KE3 for each node that authenticated the password, though too few did: sending it proves the
    /// password to that node, which then does not count the attempt as a failed guess. It opens a
    /// session whose key the client has already wiped.
    /// </summary>
    public IReadOnlyList<Cluster.NodeLoginFinish> Confirmations { get; }

    /// <summary>t.</summary>
    public int Threshold { get; }

    /// <summary>The nodes that authenticated (their session keys were discarded).</summary>
    public IReadOnlyList<string> Authenticated { get; }

    /// <summary>The nodes that failed or did not answer.</summary>
    public IReadOnlyList<string> Failed { get; }

    private static string Describe(int threshold, IReadOnlyList<string> authenticated, IReadOnlyList<string> failed) =>
        $"login needs {threshold} authenticated nodes but {authenticated.Count} authenticated"
        + (authenticated.Count > 0 ? $" ({string.Join(", ", authenticated)})" : string.Empty)
        + (failed.Count > 0 ? $"; failed or missing: {string.Join(", ", failed)}" : string.Empty);
}
