// P-256 (FIPS 186-5, SEC 2 §2.4.2) point multiplication by a secret scalar through OpenSSL 3's libcrypto.
// EC_POINT_mul with only the generator term or only one point term takes OpenSSL's constant-time paths:
// on x86-64 the ecp_nistz256 assembly (fixed windows with constant-time table gathers), elsewhere the
// Montgomery ladder OpenSSL uses for single-point multiplication since 1.1.1. The scalar is a BIGNUM on the
// secure heap, flagged BN_FLG_CONSTTIME and cleared with BN_clear_free; every object is a SafeHandle.
// OpenSSL's time still depends on the scalar's length (BN_bin2bn drops leading zero bytes, ecp_nistz256
// copies limbs up to the top word; measured by threshold bench ct), so k never reaches it: it computes
// (k + b)·X and b·X for a fresh uniform b, whose lengths are independent of k, and subtracts.
using Threshold.Interop.OpenSsl;

namespace Threshold.Curves;

/// <summary>Constant-time k·G and k·P on P-256 through OpenSSL's libcrypto.</summary>
internal sealed class P256SecretMultiplier : ISecretMultiplier
{
    private const int ScalarLength = 32;

    /// <summary>Arithmetic modulo P-256's group order n (FIPS 186-5), for the blinding.</summary>
    private static readonly ScalarField Field = new(System.Numerics.BigInteger.Parse(
        "0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));

    private static readonly System.Security.Cryptography.RandomNumberGenerator Rng = System.Security.Cryptography.RandomNumberGenerator.Create();

    private static readonly Lazy<EcGroupHandle> SharedGroup = new(
        () => LibCrypto.GroupNewByCurveName(LibCrypto.NidP256).Valid<EcGroupHandle>("EC_GROUP_new_by_curve_name"));

    /// <inheritdoc />
    public string Description => "OpenSSL libcrypto.so.3 EC_POINT_mul (BN_FLG_CONSTTIME)";

    private static EcGroupHandle Group => SharedGroup.Value;

    /// <inheritdoc />
    public bool MultiplyGenerator(ReadOnlySpan<byte> scalar, Span<byte> result)
    {
        using var ctx = NewContext();
        return Blinded(scalar, ctx, result, (k, product) =>
            LibCrypto.Check(LibCrypto.PointMultiplyGenerator(Group, product, k, IntPtr.Zero, IntPtr.Zero, ctx) == 1, "EC_POINT_mul"));
    }

    /// <inheritdoc />
    public bool Multiply(ReadOnlySpan<byte> point, ReadOnlySpan<byte> scalar, Span<byte> result)
    {
        using var ctx = NewContext();
        using var p = Parse(point, ctx);
        return Blinded(scalar, ctx, result, (k, product) =>
            LibCrypto.Check(LibCrypto.PointMultiply(Group, product, IntPtr.Zero, p, k, ctx) == 1, "EC_POINT_mul"));
    }

    /// <summary>A BIGNUM holding the scalar (secure heap, constant-time flag), for the tests of its disposal.</summary>
    internal static BigNumHandle SecretBigNum(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != ScalarLength)
        {
            throw new ArgumentException("a scalar is 32 bytes", nameof(scalar));
        }

        var k = LibCrypto.BigNumSecureNew().Valid<BigNumHandle>("BN_secure_new");
        try
        {
            LibCrypto.BigNumSetFlags(k, LibCrypto.BnFlagConstTime);
            LibCrypto.Check(LibCrypto.BigNumFromBytes(scalar, ScalarLength, k) != IntPtr.Zero, "BN_bin2bn");
            return k;
        }
        catch
        {
            k.Dispose();
            throw;
        }
    }

    internal static BnCtxHandle NewContext() => LibCrypto.ContextSecureNew().Valid<BnCtxHandle>("BN_CTX_secure_new");

    internal static EcPointHandle NewPoint() => LibCrypto.PointNew(Group).Valid<EcPointHandle>("EC_POINT_new");

    /// <summary>
    /// k·X as (k + b)·X − b·X for a fresh uniform b. OpenSSL's time depends on the length of the scalar it is
    /// given (leading zero bytes and words); k + b mod q and b are each uniform whatever k is, so their lengths
    /// say nothing about k on their own. The sum is taken in constant time (<see cref="ScalarField"/>); the
    /// final subtraction works on points whose difference, k·X, is the public product.
    /// </summary>
    private static bool Blinded(ReadOnlySpan<byte> scalar, BnCtxHandle ctx, Span<byte> result, Action<BigNumHandle, EcPointHandle> multiply)
    {
        if (scalar.Length != ScalarLength)
        {
            throw new ArgumentException("a scalar is 32 bytes", nameof(scalar));
        }

        Span<ulong> k = stackalloc ulong[ScalarField.Limbs];
        Span<ulong> b = stackalloc ulong[ScalarField.Limbs];
        Span<byte> encoded = stackalloc byte[ScalarLength];
        try
        {
            ScalarField.FromBigEndian(scalar, k);
            if (!Field.IsReduced(k))
            {
                throw new ArgumentException("scalar not reduced modulo the group order", nameof(scalar));
            }

            Field.Random(Rng, b);
            Field.Add(k, b, k);
            using var blinded = NewPoint();
            using var mask = NewPoint();
            ScalarField.ToBigEndian(k, encoded);
            using (var kb = SecretBigNum(encoded))
            {
                multiply(kb, blinded);
            }

            ScalarField.ToBigEndian(b, encoded);
            using (var bn = SecretBigNum(encoded))
            {
                multiply(bn, mask);
            }

            LibCrypto.Check(LibCrypto.PointInvert(Group, mask, ctx) == 1, "EC_POINT_invert");
            LibCrypto.Check(LibCrypto.PointAdd(Group, blinded, blinded, mask, ctx) == 1, "EC_POINT_add");
            return Write(blinded, result, ctx);
        }
        finally
        {
            k.Clear();
            b.Clear();
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(encoded);
        }
    }

    private static EcPointHandle Parse(ReadOnlySpan<byte> encoded, BnCtxHandle ctx)
    {
        if (encoded.Length != Point.UncompressedLength || encoded[0] != 0x04)
        {
            throw new DecodingException(DecodingError.Malformed, "point");
        }

        var p = NewPoint();
        // EC_POINT_oct2point refuses coordinates not below p and points off the curve.
        if (LibCrypto.PointFromOctets(Group, p, encoded, (nuint)encoded.Length, ctx) != 1 || LibCrypto.PointIsAtInfinity(Group, p) != 0)
        {
            p.Dispose();
            LibCrypto.ClearErrors();
            throw new DecodingException(DecodingError.NotOnCurve, "point");
        }

        return p;
    }

    private static bool Write(EcPointHandle product, Span<byte> result, BnCtxHandle ctx)
    {
        // Whether the product is the identity is public (the product is published).
        if (LibCrypto.PointIsAtInfinity(Group, product) != 0)
        {
            return false;
        }

        var written = LibCrypto.PointToOctets(Group, product, LibCrypto.PointConversionUncompressed, result, (nuint)Point.UncompressedLength, ctx);
        LibCrypto.Check(written == Point.UncompressedLength, "EC_POINT_point2oct");
        return true;
    }
}
