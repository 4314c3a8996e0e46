// The explicit errors of RFC 9497 §5.3 (DeserializeError is Threshold.DecodingException).
using System.Security.Cryptography;

namespace Threshold.Opaque.Oprf;

/// <summary>Which OPRF error of RFC 9497 §5.3 occurred.</summary>
public enum OprfError
{
    /// <summary>InvalidInputError: the input hashes to the identity (negligible probability).</summary>
    InvalidInput,

    /// <summary>VerifyError: the server's DLEQ proof does not verify (VOPRF).</summary>
    Verify,

    /// <summary>DeriveKeyPairError: 256 consecutive candidate keys were zero (negligible probability).</summary>
    DeriveKeyPair,
}

/// <summary>An OPRF protocol error other than a decoding failure; carries no secret.</summary>
public sealed class OprfException : CryptographicException
{
    /// <summary>Creates the error.</summary>
    public OprfException(OprfError error)
        : base($"OPRF error: {error}") => Error = error;

    /// <summary>Which error.</summary>
    public OprfError Error { get; }
}
