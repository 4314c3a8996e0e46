// RFC 9497 §2.1 prime-order group API, as OPRF (RFC 9497) and OPAQUE-3DH (RFC 9807 §6.4.1) use it.
// Exactly two implementations: ristretto255 (libsodium) and P-256 (Threshold.Curves + RFC 9380 SSWU).
namespace Threshold.Opaque.Groups;

/// <summary>
/// A prime-order group with the member functions of RFC 9497 §2.1: hashing to elements and scalars,
/// (de)serialisation with validation, scalar multiplication. Implemented by <see cref="Ristretto255Group"/>
/// and <see cref="P256Group"/>.
/// </summary>
public interface IOprfGroup
{
    /// <summary>Group name: "ristretto255" or "P-256".</summary>
    string Name { get; }

    /// <summary>Ne (RFC 9497): length of a serialised element (Noe and Npk in RFC 9807).</summary>
    int ElementLength { get; }

    /// <summary>Ns (RFC 9497): length of a serialised scalar (Nok and Nsk in RFC 9807).</summary>
    int ScalarLength { get; }

    /// <summary>Generator() (RFC 9497 §2.1).</summary>
    GroupElement Generator { get; }

    /// <summary>Identity() (RFC 9497 §2.1); never serialised into a message.</summary>
    GroupElement Identity { get; }

    /// <summary>HashToGroup(x) with domain separation tag <paramref name="dst"/> (RFC 9497 §4).</summary>
    GroupElement HashToGroup(ReadOnlySpan<byte> input, ReadOnlySpan<byte> dst);

    /// <summary>HashToScalar(x) with domain separation tag <paramref name="dst"/> (RFC 9497 §4).</summary>
    GroupScalar HashToScalar(ReadOnlySpan<byte> input, ReadOnlySpan<byte> dst);

    /// <summary>RandomScalar(): a uniform non-zero scalar (RFC 9497 §4.7, rejection sampling).</summary>
    GroupScalar RandomScalar(System.Security.Cryptography.RandomNumberGenerator rng);

    /// <summary>
    /// DeserializeElement(buf) (RFC 9497 §2.1): refuses wrong lengths, non-canonical encodings,
    /// points not in the group and the identity.
    /// </summary>
    /// <exception cref="DecodingException">With the reason and <paramref name="field"/>.</exception>
    GroupElement DeserializeElement(ReadOnlySpan<byte> encoded, string field);

    /// <summary>DeserializeScalar(buf) (RFC 9497 §2.1): refuses wrong lengths and values ≥ the order.</summary>
    /// <exception cref="DecodingException">With the reason and <paramref name="field"/>.</exception>
    GroupScalar DeserializeScalar(ReadOnlySpan<byte> encoded, string field);

    /// <summary>k·A.</summary>
    GroupElement Multiply(GroupScalar k, GroupElement element);

    /// <summary>ScalarMultGen(k) = k·G.</summary>
    GroupElement MultiplyGenerator(GroupScalar k);

    /// <summary>A + B.</summary>
    GroupElement Add(GroupElement a, GroupElement b);

    /// <summary>ScalarInverse(s) (RFC 9497 §2.1).</summary>
    /// <exception cref="ArithmeticException">s is zero.</exception>
    GroupScalar Invert(GroupScalar s);

    /// <summary>a + b modulo the order.</summary>
    GroupScalar Add(GroupScalar a, GroupScalar b);

    /// <summary>a − b modulo the order.</summary>
    GroupScalar Subtract(GroupScalar a, GroupScalar b);

    /// <summary>a · b modulo the order.</summary>
    GroupScalar Multiply(GroupScalar a, GroupScalar b);
}
