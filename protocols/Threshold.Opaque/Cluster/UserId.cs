// The user identifier of Threshold's registration sessions (Lock-Keeper: "fresh user_id of the expected
// format and length"): 16 random bytes, written as 32 lowercase hexadecimal characters.
using System.Security.Cryptography;
using System.Text;

namespace Threshold.Opaque.Cluster;

/// <summary>
/// A user identifier: 128 random bits, canonically 32 lowercase hex characters. Every node checks the
/// format and refuses an identifier it has ever registered (freshness). In OPAQUE it serves as the
/// credential_identifier and as client_identity (RFC 9807 §4, §6), so a record is bound to its user.
/// </summary>
public sealed class UserId : IEquatable<UserId>
{
    /// <summary>Length of the canonical text form.</summary>
    public const int TextLength = 32;

    private readonly string text;

    private UserId(string text) => this.text = text;

    /// <summary>A fresh identifier from <paramref name="rng"/>.</summary>
    public static UserId New(RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Span<byte> bytes = stackalloc byte[TextLength / 2];
        rng.GetBytes(bytes);
        return new UserId(Convert.ToHexStringLower(bytes));
    }

    /// <summary>Parses the canonical form: exactly 32 characters of [0-9a-f].</summary>
    /// <exception cref="DecodingException">Any other string (reason <see cref="DecodingError.Malformed"/>, field "user_id").</exception>
    public static UserId Parse(string? text) =>
        TryParse(text, out var id) ? id : throw new DecodingException(DecodingError.Malformed, "user_id");

    /// <summary>Parses the canonical form without throwing.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UserId? id)
    {
        id = null;
        if (text is null || text.Length != TextLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        id = new UserId(text);
        return true;
    }

    /// <summary>The ASCII bytes of the canonical form: OPAQUE's credential_identifier and client_identity.</summary>
    public byte[] ToBytes() => Encoding.ASCII.GetBytes(text);

    /// <inheritdoc />
    public bool Equals(UserId? other) => other is not null && string.Equals(other.text, text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as UserId);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(text);

    /// <summary>The canonical form.</summary>
    public override string ToString() => text;
}
