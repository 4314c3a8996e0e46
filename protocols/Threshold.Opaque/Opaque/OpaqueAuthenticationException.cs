// RFC 9807 §10.3 errors EnvelopeRecoveryError, ServerAuthenticationError and ClientAuthenticationError,
// collapsed into one type: a login fails without saying why.
using System.Security.Cryptography;

namespace Threshold.Opaque;

/// <summary>
/// A login failed. Thrown for every credential failure alike: wrong password, unknown user (fake
/// record), tampered or undecodable KE2 or KE3, a replayed KE3, or a server state already consumed.
/// It carries no detail on purpose: distinguishing the causes would help an attacker enumerate
/// accounts or test guesses.
/// </summary>
public sealed class OpaqueAuthenticationException : CryptographicException
{
    /// <summary>Creates the error with its fixed message.</summary>
    public OpaqueAuthenticationException()
        : base("authentication failed")
    {
    }
}
