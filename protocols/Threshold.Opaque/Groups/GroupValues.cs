// The Element and Scalar types of RFC 9497 §2.1, shared by the two groups.
using System.Security.Cryptography;

namespace Threshold.Opaque.Groups;

/// <summary>
/// An element of an <see cref="IOprfGroup"/>: immutable and public. Its canonical encoding is
/// SerializeElement (RFC 9497 §2.1); equality compares encodings in constant time.
/// </summary>
public abstract class GroupElement : IEquatable<GroupElement>
{
    private protected GroupElement()
    {
    }

    /// <summary>The group this element belongs to.</summary>
    public abstract IOprfGroup Group { get; }

    /// <summary>Whether this is the identity element.</summary>
    public abstract bool IsIdentity { get; }

    /// <summary>SerializeElement(A) (RFC 9497 §2.1): Ne bytes.</summary>
    /// <exception cref="InvalidOperationException">The identity, which no message may carry.</exception>
    public abstract byte[] Serialize();

    /// <inheritdoc />
    public bool Equals(GroupElement? other)
    {
        if (other is null || !ReferenceEquals(other.Group, Group) || other.IsIdentity != IsIdentity)
        {
            return false;
        }

        return IsIdentity || CryptographicOperations.FixedTimeEquals(Serialize(), other.Serialize());
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as GroupElement);

    /// <inheritdoc />
    public override int GetHashCode() => IsIdentity ? 0 : BitConverter.ToInt32(Serialize(), 1);

    /// <summary>Hex of the serialisation (elements are public), or "identity".</summary>
    public override string ToString() => IsIdentity ? "identity" : Convert.ToHexStringLower(Serialize());
}

/// <summary>
/// A scalar of an <see cref="IOprfGroup"/>, treated as secret (blinds, OPRF keys, private keys):
/// wiped on <see cref="Dispose"/>, unusable afterwards, redacted in <see cref="ToString"/>.
/// </summary>
public abstract class GroupScalar : IDisposable
{
    private bool disposed;

    private protected GroupScalar()
    {
    }

    /// <summary>The group whose order this scalar is reduced by.</summary>
    public abstract IOprfGroup Group { get; }

    /// <summary>Whether the scalar is zero (constant-time).</summary>
    public abstract bool IsZero { get; }

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => disposed;

    /// <summary>SerializeScalar(s) (RFC 9497 §2.1): Ns bytes, into a holder the caller disposes.</summary>
    public abstract SecretBytes Serialize();

    /// <inheritdoc />
    public void Dispose()
    {
        if (!disposed)
        {
            Wipe();
            disposed = true;
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Names the group only; never the value.</summary>
    public override string ToString() => $"[secret scalar of {Group.Name}]";

    /// <summary>Throws when disposed; implementations call it before touching the value.</summary>
    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, this);

    /// <summary>Clears the value.</summary>
    private protected abstract void Wipe();
}
