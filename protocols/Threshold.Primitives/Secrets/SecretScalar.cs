using System.Security.Cryptography;
using Threshold.Curves;

namespace Threshold.Secrets;

/// <summary>
/// Owns a secret scalar (a key share, a nonce k_i, γ_i, χ_i): wiped on <see cref="Dispose"/>,
/// unusable afterwards, redacted in <see cref="ToString"/>.
/// </summary>
public sealed class SecretScalar : IDisposable
{
    private readonly Scalar value;
    private bool disposed;

    /// <summary>Holds a private copy of <paramref name="value"/> (wiping it leaves the argument alone).</summary>
    public SecretScalar(Scalar value) => this.value = (value ?? throw new ArgumentNullException(nameof(value))).Copy();

    /// <summary>The curve of the scalar.</summary>
    public Curve Curve => value.Curve;

    /// <summary>The secret value.</summary>
    /// <exception cref="ObjectDisposedException">After <see cref="Dispose"/>.</exception>
    public Scalar Value
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            return value;
        }
    }

    /// <summary>
    /// <paramref name="value"/> mod q as a secret, wiping the reduced intermediate (the caller still owns
    /// <paramref name="value"/>, for example a mask in a <see cref="SecretBigInteger"/>).
    /// </summary>
    public static SecretScalar FromValue(Curve curve, System.Numerics.BigInteger value)
    {
        var reduced = Scalar.FromValue(curve, value);
        try
        {
            return new SecretScalar(reduced);
        }
        finally
        {
            reduced.Wipe();
        }
    }

    /// <summary>A fresh uniform non-zero secret scalar.</summary>
    public static SecretScalar Random(Curve curve, RandomNumberGenerator rng) => new(Scalar.Random(curve, rng));

    /// <inheritdoc />
    public void Dispose()
    {
        if (!disposed)
        {
            value.Wipe();
            disposed = true;
        }
    }

    /// <summary>Always "[secret scalar]".</summary>
    public override string ToString() => "[secret scalar]";
}
