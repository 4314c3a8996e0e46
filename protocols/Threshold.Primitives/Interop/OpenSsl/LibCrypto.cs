// P/Invoke surface of OpenSSL 3's libcrypto (libcrypto.so.3) for P-256 point multiplication by a secret
// scalar. Only the EC_POINT/BIGNUM calls the constant-time path needs; every handle type is a SafeHandle
// (see Handles.cs) so each native object is freed, and a BIGNUM holding a secret cleared, on every path.
// The EC_POINT_* functions are deprecated in OpenSSL 3.0 but exported and documented (EC_POINT_new(3)).
using System.Runtime.InteropServices;

namespace Threshold.Interop.OpenSsl;

internal static partial class LibCrypto
{
    internal const string Library = "libcrypto.so.3";

    /// <summary>NID_X9_62_prime256v1 (obj_mac.h): P-256.</summary>
    internal const int NidP256 = 415;

    /// <summary>BN_FLG_CONSTTIME (bn.h): route operations on this BIGNUM through constant-time code.</summary>
    internal const int BnFlagConstTime = 0x04;

    /// <summary>POINT_CONVERSION_UNCOMPRESSED (ec.h).</summary>
    internal const int PointConversionUncompressed = 4;

    [LibraryImport(Library, EntryPoint = "EC_GROUP_new_by_curve_name")]
    internal static partial EcGroupHandle GroupNewByCurveName(int nid);

    [LibraryImport(Library, EntryPoint = "EC_GROUP_free")]
    internal static partial void GroupFree(IntPtr group);

    [LibraryImport(Library, EntryPoint = "EC_POINT_new")]
    internal static partial EcPointHandle PointNew(EcGroupHandle group);

    [LibraryImport(Library, EntryPoint = "EC_POINT_clear_free")]
    internal static partial void PointClearFree(IntPtr point);

    [LibraryImport(Library, EntryPoint = "EC_POINT_oct2point")]
    internal static partial int PointFromOctets(EcGroupHandle group, EcPointHandle point, ReadOnlySpan<byte> buffer, nuint length, BnCtxHandle ctx);

    [LibraryImport(Library, EntryPoint = "EC_POINT_point2oct")]
    internal static partial nuint PointToOctets(EcGroupHandle group, EcPointHandle point, int form, Span<byte> buffer, nuint length, BnCtxHandle ctx);

    [LibraryImport(Library, EntryPoint = "EC_POINT_is_at_infinity")]
    internal static partial int PointIsAtInfinity(EcGroupHandle group, EcPointHandle point);

    /// <summary>EC_POINT_mul(group, r, n, NULL, NULL, ctx): r = n·G, the fixed-base path.</summary>
    [LibraryImport(Library, EntryPoint = "EC_POINT_mul")]
    internal static partial int PointMultiplyGenerator(EcGroupHandle group, EcPointHandle r, BigNumHandle n, IntPtr noPoint, IntPtr noScalar, BnCtxHandle ctx);

    /// <summary>EC_POINT_mul(group, r, NULL, q, m, ctx): r = m·q, the single-point path.</summary>
    [LibraryImport(Library, EntryPoint = "EC_POINT_mul")]
    internal static partial int PointMultiply(EcGroupHandle group, EcPointHandle r, IntPtr noScalar, EcPointHandle q, BigNumHandle m, BnCtxHandle ctx);

    [LibraryImport(Library, EntryPoint = "EC_POINT_add")]
    internal static partial int PointAdd(EcGroupHandle group, EcPointHandle r, EcPointHandle a, EcPointHandle b, BnCtxHandle ctx);

    [LibraryImport(Library, EntryPoint = "EC_POINT_invert")]
    internal static partial int PointInvert(EcGroupHandle group, EcPointHandle a, BnCtxHandle ctx);

    [LibraryImport(Library, EntryPoint = "BN_secure_new")]
    internal static partial BigNumHandle BigNumSecureNew();

    [LibraryImport(Library, EntryPoint = "BN_bin2bn")]
    internal static partial IntPtr BigNumFromBytes(ReadOnlySpan<byte> bytes, int length, BigNumHandle into);

    [LibraryImport(Library, EntryPoint = "BN_set_flags")]
    internal static partial void BigNumSetFlags(BigNumHandle bn, int flags);

    [LibraryImport(Library, EntryPoint = "BN_get_flags")]
    internal static partial int BigNumGetFlags(BigNumHandle bn, int flags);

    [LibraryImport(Library, EntryPoint = "BN_clear_free")]
    internal static partial void BigNumClearFree(IntPtr bn);

    [LibraryImport(Library, EntryPoint = "BN_CTX_secure_new")]
    internal static partial BnCtxHandle ContextSecureNew();

    [LibraryImport(Library, EntryPoint = "BN_CTX_free")]
    internal static partial void ContextFree(IntPtr ctx);

    [LibraryImport(Library, EntryPoint = "ERR_clear_error")]
    internal static partial void ClearErrors();

    /// <summary>Throws when a libcrypto call reported failure (and empties OpenSSL's error queue).</summary>
    internal static void Check(bool ok, string function)
    {
        if (!ok)
        {
            ClearErrors();
            throw new InvalidOperationException($"libcrypto {function} failed");
        }
    }
}
