// A zeroizing holder for secret byte strings: passwords, OPRF seeds, session keys, export keys
// (RFC 9807 §10.1 asks that secrets not stay in memory longer than needed).
using System.Security.Cryptography;

namespace Threshold.Opaque;

/// <summary>
/// Owns a secret byte string in a pinned array (the garbage collector never leaves copies behind),
/// wiped on <see cref="Dispose"/>, unusable afterwards, and redacted in <see cref="ToString"/>.
/// Comparisons are constant-time.
/// </summary>
public sealed class SecretBytes : IDisposable
{
    private readonly byte[] buffer;
    private bool disposed;

    /// <summary>Holds a private copy of <paramref name="value"/>; the caller may wipe its own.</summary>
    public SecretBytes(ReadOnlySpan<byte> value)
    {
        buffer = GC.AllocateArray<byte>(value.Length, pinned: true);
        value.CopyTo(buffer);
    }

    private SecretBytes(int length) => buffer = GC.AllocateArray<byte>(length, pinned: true);

    /// <summary>Length in bytes (public: every secret here has a fixed, published length).</summary>
    public int Length => buffer.Length;

    /// <summary>The secret bytes; valid until <see cref="Dispose"/>.</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return buffer;
        }
    }

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => disposed;

    internal Span<byte> Writable
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return buffer;
        }
    }

    /// <summary>Fresh uniform random bytes.</summary>
    public static SecretBytes Random(int length, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var secret = new SecretBytes(length);
        rng.GetBytes(secret.buffer);
        return secret;
    }

    /// <summary>A zero-filled secret of <paramref name="length"/> bytes, to be written through <see cref="Writable"/>.</summary>
    internal static SecretBytes Allocate(int length) => new(length);

    /// <summary>Constant-time equality of contents (lengths are public).</summary>
    public bool FixedTimeEquals(ReadOnlySpan<byte> other) => CryptographicOperations.FixedTimeEquals(Span, other);

    /// <summary>Copies the secret into <paramref name="destination"/>, which the caller then owns and wipes.</summary>
    public void CopyTo(Span<byte> destination) => Span.CopyTo(destination);

    /// <summary>A copy in a new holder (the two are disposed independently).</summary>
    public SecretBytes Clone() => new(Span);

    /// <inheritdoc />
    public void Dispose()
    {
        if (!disposed)
        {
            CryptographicOperations.ZeroMemory(buffer);
            disposed = true;
        }
    }

    /// <summary>"[secret: N bytes]"; never the contents.</summary>
    public override string ToString() => $"[secret: {buffer.Length} bytes]";
}
