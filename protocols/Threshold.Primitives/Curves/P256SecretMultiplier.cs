// P-256 (FIPS 186-5, SEC 2 §2.4.2) point multiplication by a secret scalar through OpenSSL 3's libcrypto.
// EC_POINT_mul with only the generator term or only one point term takes OpenSSL's constant-time paths:
// on x86-64 the ecp_nistz256 assembly (fixed windows with constant-time table gathers), elsewhere the
// Montgomery ladder OpenSSL uses for single-point multiplication since 1.1.1. The scalar is a BIGNUM on the
// secure heap, flagged BN_FLG_CONSTTIME and cleared with BN_clear_free; every object is a SafeHandle.
using Threshold.Interop.OpenSsl;

namespace Threshold.Curves;

/// <summary>Constant-time k·G and k·P on P-256 through OpenSSL's libcrypto.</summary>
internal sealed class P256SecretMultiplier : ISecretMultiplier
{
    private const int ScalarLength = 32;

    private static readonly Lazy<EcGroupHandle> SharedGroup = new(
        () => LibCrypto.GroupNewByCurveName(LibCrypto.NidP256).Valid<EcGroupHandle>("EC_GROUP_new_by_curve_name"));

    /// <inheritdoc />
    public string Description => "OpenSSL libcrypto.so.3 EC_POINT_mul (BN_FLG_CONSTTIME)";

    private static EcGroupHandle Group => SharedGroup.Value;

    /// <inheritdoc />
    public bool MultiplyGenerator(ReadOnlySpan<byte> scalar, Span<byte> result)
    {
        using var ctx = NewContext();
        using var k = SecretBigNum(scalar);
        using var product = NewPoint();
        LibCrypto.Check(LibCrypto.PointMultiplyGenerator(Group, product, k, IntPtr.Zero, IntPtr.Zero, ctx) == 1, "EC_POINT_mul");
        return Write(product, result, ctx);
    }

    /// <inheritdoc />
    public bool Multiply(ReadOnlySpan<byte> point, ReadOnlySpan<byte> scalar, Span<byte> result)
    {
        using var ctx = NewContext();
        using var p = Parse(point, ctx);
        using var k = SecretBigNum(scalar);
        using var product = NewPoint();
        LibCrypto.Check(LibCrypto.PointMultiply(Group, product, IntPtr.Zero, p, k, ctx) == 1, "EC_POINT_mul");
        return Write(product, result, ctx);
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
