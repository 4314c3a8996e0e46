// The multi-server login's one failure: fewer than t nodes authenticated. Says which nodes did and did
// not (the client knows that anyway), never why a node failed: every per-node failure is the same
// OpaqueAuthenticationException.
using System.Security.Cryptography;

namespace Threshold.Opaque.Client;

/// <summary>A multi-server login reached fewer than t authenticated nodes; nothing was released.</summary>
public sealed class ThresholdNotMetException : CryptographicException
{
    /// <summary>Creates the error.</summary>
    public ThresholdNotMetException(int threshold, IReadOnlyList<string> authenticated, IReadOnlyList<string> failed)
        : base(Describe(threshold, authenticated, failed))
    {
        Threshold = threshold;
        Authenticated = authenticated;
        Failed = failed;
    }

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
