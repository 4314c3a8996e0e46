using System.Numerics;

namespace Threshold.Secrets;

/// <summary>
/// Owns a secret big integer (a prime factor, φ(N), a ring-Pedersen trapdoor): wiped on
/// <see cref="Dispose"/>, unusable afterwards, and never printed.
/// </summary>
public sealed class SecretBigInteger : IDisposable
{
    private BigInteger value;
    private bool disposed;

    /// <summary>Holds a private copy of <paramref name="value"/>; wiping it leaves the caller's value alone.</summary>
    public SecretBigInteger(BigInteger value) => this.value = BigIntegerMemory.Copy(value);

    /// <summary>The secret value.</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public BigInteger Value
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return value;
        }
    }

    /// <summary>Bit length of the value (public for the sizes used here).</summary>
    public long BitLength => Value.GetBitLength();

    /// <inheritdoc />
    public void Dispose()
    {
        if (!disposed)
        {
            BigIntegerMemory.Clear(ref value);
            disposed = true;
        }
    }

    /// <summary>Always "[secret]".</summary>
    public override string ToString() => "[secret]";
}
