namespace Threshold;

/// <summary>Why a value taken from untrusted input was refused.</summary>
public enum DecodingError
{
    /// <summary>The encoding has the wrong length or shape.</summary>
    Malformed,
    /// <summary>The encoded point does not satisfy the curve equation.</summary>
    NotOnCurve,
    /// <summary>The encoded point is the identity (point at infinity), which no protocol message may carry.</summary>
    Identity,
    /// <summary>The encoded scalar is not reduced modulo the group order.</summary>
    NonCanonical,
    /// <summary>The value lies outside the range its protocol step allows.</summary>
    OutOfRange,
    /// <summary>The value shares a factor with the modulus (for example a Paillier ciphertext not in Z*_{N²}).</summary>
    NotCoprime,
}

/// <summary>
/// A value decoded from the network or storage failed validation. Carries a machine-readable
/// <see cref="Reason"/> and the name of the field; never the secret or the offending bytes.
/// </summary>
public sealed class DecodingException : Exception
{
    /// <summary>Creates the error for <paramref name="field"/>.</summary>
    public DecodingException(DecodingError reason, string field)
        : base($"{field}: {Describe(reason)}")
    {
        Reason = reason;
        Field = field;
    }

    /// <summary>Which validation failed.</summary>
    public DecodingError Reason { get; }

    /// <summary>The name of the decoded field (for example "ciphertext" or "point").</summary>
    public string Field { get; }

    private static string Describe(DecodingError reason) => reason switch
    {
        DecodingError.Malformed => "malformed encoding",
        DecodingError.NotOnCurve => "point is not on the curve",
        DecodingError.Identity => "point is the identity",
        DecodingError.NonCanonical => "scalar is not reduced modulo the group order",
        DecodingError.OutOfRange => "value out of range",
        DecodingError.NotCoprime => "value is not coprime to the modulus",
        _ => reason.ToString(),
    };
}
