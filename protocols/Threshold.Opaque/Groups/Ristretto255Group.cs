// ristretto255 (RFC 9496) through libsodium (the 1.0.22 that NSec.Cryptography brings), as the group of RFC 9497 §4.1 (OPRF(ristretto255, SHA-512)):
// elements 32 bytes (Encode/Decode of RFC 9496 §4.3), scalars 32 bytes little-endian modulo
// ℓ = 2^252 + 27742317777372353535851937790883648493, hash_to_ristretto255 = one-way map over
// expand_message_xmd(SHA-512, 64 bytes) (RFC 9380 Appendix B), HashToScalar = 64 bytes reduced mod ℓ.
using System.Security.Cryptography;
using Threshold.Opaque.HashToCurve;
using Threshold.Opaque.Interop.Sodium;

namespace Threshold.Opaque.Groups;

/// <summary>The ristretto255 group of RFC 9496, computed by libsodium.</summary>
public sealed unsafe partial class Ristretto255Group : IOprfGroup
{
    private const int Length = SodiumNative.RistrettoBytes;

    // ℓ in little-endian, for the canonical-scalar check (libsodium exports no such check).
    private static readonly byte[] OrderLittleEndian = Convert.FromHexString(
        "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");

    private Ristretto255Group()
    {
        Identity = new RistrettoElement(this, new byte[Length]);
    }

    /// <summary>The single instance.</summary>
    public static Ristretto255Group Instance { get; } = new();

    /// <summary>The loaded libsodium's version (for reports), or null when libsodium is missing.</summary>
    public static string? LibsodiumVersion => SodiumNative.IsAvailable ? SodiumNative.Version : null;

    /// <inheritdoc />
    public string Name => "ristretto255";

    /// <inheritdoc />
    public int ElementLength => Length;

    /// <inheritdoc />
    public int ScalarLength => Length;

    /// <inheritdoc />
    public GroupElement Generator
    {
        get
        {
            using var one = ScalarFromInteger(1);
            return MultiplyGenerator(one);
        }
    }

    /// <inheritdoc />
    public GroupElement Identity { get; }

    /// <inheritdoc />
    public GroupElement HashToGroup(ReadOnlySpan<byte> input, ReadOnlySpan<byte> dst)
    {
        SodiumNative.EnsureInitialized();
        Span<byte> uniform = stackalloc byte[SodiumNative.RistrettoHashBytes];
        var encoded = new byte[Length];
        try
        {
            ExpandMessageXmd.Expand(HashAlgorithmName.SHA512, input, dst, uniform);
            fixed (byte* u = uniform)
            fixed (byte* p = encoded)
            {
                SodiumNative.FromHash(p, u);
            }

            return new RistrettoElement(this, encoded);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(uniform);
        }
    }

    /// <inheritdoc />
    public GroupScalar HashToScalar(ReadOnlySpan<byte> input, ReadOnlySpan<byte> dst)
    {
        Span<byte> uniform = stackalloc byte[SodiumNative.NonReducedScalarBytes];
        try
        {
            ExpandMessageXmd.Expand(HashAlgorithmName.SHA512, input, dst, uniform);
            return Reduce(uniform);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(uniform);
        }
    }

    /// <inheritdoc />
    public GroupScalar RandomScalar(RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(rng);

        // Rejection sampling (RFC 9497 §4.7.1) on 253-bit strings: ℓ is just above 2^252, so about
        // half of the candidates are accepted; the comparison is constant-time.
        var scalar = new RistrettoScalar(this);
        var buffer = scalar.Bytes;
        while (true)
        {
            rng.GetBytes(buffer);
            buffer[31] &= 0x1f;
            if (IsCanonical(buffer) && !IsAllZero(buffer))
            {
                return scalar;
            }
        }
    }

    /// <inheritdoc />
    public GroupElement DeserializeElement(ReadOnlySpan<byte> encoded, string field)
    {
        SodiumNative.EnsureInitialized();
        if (encoded.Length != Length)
        {
            throw new DecodingException(DecodingError.Malformed, field);
        }

        if (IsAllZero(encoded))
        {
            throw new DecodingException(DecodingError.Identity, field);
        }

        // RFC 9496 §4.3.1 requires a canonical s < p, so bit 255 must be clear. libsodium 1.0.18 (the
        // libsodium23 of Debian 12, bound here before NSec) ignores that bit, accepting two encodings of one
        // element; later releases refuse it. Check it here so the behaviour does not depend on the version.
        if ((encoded[Length - 1] & 0x80) != 0)
        {
            throw new DecodingException(DecodingError.Malformed, field);
        }

        var copy = encoded.ToArray();
        fixed (byte* p = copy)
        {
            // Decode of RFC 9496 §4.3.1: canonical field element, non-negative s, valid square root.
            if (SodiumNative.IsValidPoint(p) != 1)
            {
                throw new DecodingException(DecodingError.Malformed, field);
            }
        }

        return new RistrettoElement(this, copy);
    }

    /// <inheritdoc />
    public GroupScalar DeserializeScalar(ReadOnlySpan<byte> encoded, string field)
    {
        if (encoded.Length != Length)
        {
            throw new DecodingException(DecodingError.Malformed, field);
        }

        if (!IsCanonical(encoded))
        {
            throw new DecodingException(DecodingError.NonCanonical, field);
        }

        var scalar = new RistrettoScalar(this);
        encoded.CopyTo(scalar.Bytes);
        return scalar;
    }

    /// <inheritdoc />
    public GroupElement Multiply(GroupScalar k, GroupElement element)
    {
        var scalar = Own(k);
        var point = Own(element);
        if (point.IsIdentity)
        {
            return Identity;
        }

        var result = new byte[Length];
        fixed (byte* q = result)
        fixed (byte* n = scalar.Bytes)
        fixed (byte* p = point.Encoded)
        {
            // -1 means the product is the identity (k ≡ 0); the encoding is then all zeros.
            SodiumNative.ScalarMult(q, n, p);
        }

        return new RistrettoElement(this, result);
    }

    /// <inheritdoc />
    public GroupElement MultiplyGenerator(GroupScalar k)
    {
        var scalar = Own(k);
        SodiumNative.EnsureInitialized();
        var result = new byte[Length];
        fixed (byte* q = result)
        fixed (byte* n = scalar.Bytes)
        {
            SodiumNative.ScalarMultBase(q, n);
        }

        return new RistrettoElement(this, result);
    }

    /// <inheritdoc />
    public GroupElement Add(GroupElement a, GroupElement b)
    {
        var left = Own(a);
        var right = Own(b);
        var result = new byte[Length];
        fixed (byte* r = result)
        fixed (byte* p = left.Encoded)
        fixed (byte* q = right.Encoded)
        {
            if (SodiumNative.Add(r, p, q) != 0)
            {
                throw new CryptographicException("ristretto255 addition refused its operands");
            }
        }

        return new RistrettoElement(this, result);
    }

    /// <inheritdoc />
    public GroupScalar Invert(GroupScalar s)
    {
        var value = Own(s);
        var result = new RistrettoScalar(this);
        fixed (byte* r = result.Bytes)
        fixed (byte* x = value.Bytes)
        {
            if (SodiumNative.ScalarInvert(r, x) != 0)
            {
                result.Dispose();
                throw new ArithmeticException("zero has no inverse");
            }
        }

        return result;
    }

    /// <inheritdoc />
    public GroupScalar Add(GroupScalar a, GroupScalar b) => Binary(a, b, SodiumNative.ScalarAdd);

    /// <inheritdoc />
    public GroupScalar Subtract(GroupScalar a, GroupScalar b) => Binary(a, b, SodiumNative.ScalarSubtract);

    /// <inheritdoc />
    public GroupScalar Multiply(GroupScalar a, GroupScalar b) => Binary(a, b, SodiumNative.ScalarMultiply);

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Reduces 64 little-endian bytes modulo ℓ.</summary>
    internal RistrettoScalar Reduce(ReadOnlySpan<byte> wide)
    {
        SodiumNative.EnsureInitialized();
        var result = new RistrettoScalar(this);
        Span<byte> copy = stackalloc byte[SodiumNative.NonReducedScalarBytes];
        try
        {
            wide.CopyTo(copy);
            fixed (byte* r = result.Bytes)
            fixed (byte* s = copy)
            {
                SodiumNative.ScalarReduce(r, s);
            }

            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    private RistrettoScalar ScalarFromInteger(byte value)
    {
        var scalar = new RistrettoScalar(this);
        scalar.Bytes[0] = value;
        return scalar;
    }

    private GroupScalar Binary(GroupScalar a, GroupScalar b, Operation operation)
    {
        var left = Own(a);
        var right = Own(b);
        SodiumNative.EnsureInitialized();
        var result = new RistrettoScalar(this);
        fixed (byte* z = result.Bytes)
        fixed (byte* x = left.Bytes)
        fixed (byte* y = right.Bytes)
        {
            operation(z, x, y);
        }

        return result;
    }

    private delegate void Operation(byte* z, byte* x, byte* y);

    /// <summary>Constant-time check that a 32-byte little-endian value is below ℓ.</summary>
    private static bool IsCanonical(ReadOnlySpan<byte> value)
    {
        // Subtract ℓ byte by byte from the least significant end; a final borrow means value < ℓ.
        var borrow = 0;
        for (var i = 0; i < Length; i++)
        {
            var difference = value[i] - OrderLittleEndian[i] - borrow;
            borrow = (difference >> 8) & 1;
        }

        return borrow == 1;
    }

    /// <summary>Constant-time test for the all-zero string (the identity's encoding, or the zero scalar).</summary>
    private static bool IsAllZero(ReadOnlySpan<byte> value)
    {
        var accumulator = 0;
        foreach (var b in value)
        {
            accumulator |= b;
        }

        return accumulator == 0;
    }

    private RistrettoElement Own(GroupElement element) =>
        element is RistrettoElement r && ReferenceEquals(r.Group, this)
            ? r
            : throw new ArgumentException("element of another group", nameof(element));

    private RistrettoScalar Own(GroupScalar scalar) =>
        scalar is RistrettoScalar r && ReferenceEquals(r.Group, this)
            ? r.Checked()
            : throw new ArgumentException("scalar of another group", nameof(scalar));
}
