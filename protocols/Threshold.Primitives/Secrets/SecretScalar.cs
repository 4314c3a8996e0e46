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

    /// <summary>Decodes a secret scalar received in 32 big-endian bytes (a share sent to this party), leaving no
    /// unwiped copy of the value behind.</summary>
    /// <exception cref="DecodingException">Wrong length or not reduced.</exception>
    public static SecretScalar Decode(Curve curve, ReadOnlySpan<byte> encoded, string field = "scalar")
    {
        var decoded = Scalar.Decode(curve, encoded, field);
        try
        {
            return new SecretScalar(decoded);
        }
        finally
        {
            decoded.Wipe();
        }
    }

    /// <summary>
    /// this · <paramref name="other"/> mod q in constant time (four 64-bit limbs, Montgomery multiplication),
    /// as a new secret. <paramref name="other"/> may be public (m, r, a Lagrange coefficient) or secret.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="other"/> belongs to another curve.</exception>
    public SecretScalar Multiply(Scalar other) => Combine(other, multiply: true);

    /// <summary>this · <paramref name="other"/> mod q in constant time, as a new secret.</summary>
    public SecretScalar Multiply(SecretScalar other) => Combine((other ?? throw new ArgumentNullException(nameof(other))).Value, multiply: true);

    /// <summary>this + <paramref name="other"/> mod q in constant time, as a new secret.</summary>
    public SecretScalar Add(Scalar other) => Combine(other, multiply: false);

    /// <summary>this + <paramref name="other"/> mod q in constant time, as a new secret.</summary>
    public SecretScalar Add(SecretScalar other) => Combine((other ?? throw new ArgumentNullException(nameof(other))).Value, multiply: false);

    /// <summary>
    /// A public copy of the value, for a secret about to be published (σ_i, δ_i): the copy survives
    /// <see cref="Dispose"/>, which still wipes this holder's own.
    /// </summary>
    public Scalar Reveal() => Value.Copy();

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

    private SecretScalar Combine(Scalar other, bool multiply)
    {
        ArgumentNullException.ThrowIfNull(other);
        var a = Value;
        if (other.Curve != a.Curve)
        {
            throw new ArgumentException("scalars of different curves", nameof(other));
        }

        Span<byte> encoded = stackalloc byte[Scalar.EncodedLength];
        Span<ulong> x = stackalloc ulong[ScalarField.Limbs];
        Span<ulong> y = stackalloc ulong[ScalarField.Limbs];
        Span<ulong> r = stackalloc ulong[ScalarField.Limbs];
        Scalar? result = null;
        try
        {
            a.WriteTo(encoded);
            ScalarField.FromBigEndian(encoded, x);
            other.WriteTo(encoded);
            ScalarField.FromBigEndian(encoded, y);
            if (multiply)
            {
                a.Curve.ScalarField.Multiply(x, y, r);
            }
            else
            {
                a.Curve.ScalarField.Add(x, y, r);
            }

            ScalarField.ToBigEndian(r, encoded);
            result = Scalar.FromCanonical(a.Curve, encoded);
            return new SecretScalar(result);
        }
        finally
        {
            result?.Wipe();
            CryptographicOperations.ZeroMemory(encoded);
            x.Clear();
            y.Clear();
            r.Clear();
        }
    }

    /// <summary>Always "[secret scalar]".</summary>
    public override string ToString() => "[secret scalar]";
}
