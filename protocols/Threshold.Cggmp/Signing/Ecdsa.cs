using System.Numerics;
using Threshold.Curves;

namespace Threshold.Cggmp.Signing;

/// <summary>An ECDSA signature (r, s) with s ≤ q/2 and the recovery id Ethereum's ecrecover expects.</summary>
/// <param name="R">r = R.x mod q.</param>
/// <param name="S">s, low (≤ q/2).</param>
/// <param name="RecoveryId">Bit 0: parity of the y-coordinate of the point whose x is r (after normalisation); bit 1: R.x ≥ q.</param>
public sealed record EcdsaSignature(Scalar R, Scalar S, int RecoveryId)
{
    /// <summary>r ‖ s, 64 bytes (IEEE P1363), as .NET's ECDsa and WebCrypto take it.</summary>
    public byte[] ToP1363() => [.. R.Encode(), .. S.Encode()];
}

/// <summary>Plain ECDSA over our curve types (SEC 1 v2 §4.1): digest conversion and verification.</summary>
public static class Ecdsa
{
    /// <summary>
    /// The integer of a digest, as SEC 1 §4.1.3 step 5 for 256-bit curves: the leftmost 256 bits as a
    /// big-endian integer, reduced mod q.
    /// </summary>
    public static Scalar DigestToScalar(Curve curve, ReadOnlySpan<byte> digest)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (digest.Length < 16)
        {
            throw new ArgumentException("digest too short", nameof(digest));
        }

        var bytes = digest.Length > 32 ? digest[..32] : digest;
        return Scalar.FromValue(curve, new BigInteger(bytes, isUnsigned: true, isBigEndian: true));
    }

    /// <summary>Verifies (r, s) on a digest under a public key (SEC 1 v2 §4.1.4).</summary>
    public static bool Verify(Point publicKey, ReadOnlySpan<byte> digest, Scalar r, Scalar s)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(r);
        ArgumentNullException.ThrowIfNull(s);
        if (r.IsZero || s.IsZero || publicKey.IsIdentity)
        {
            return false;
        }

        var curve = publicKey.Curve;
        var w = s.Invert();
        var point = Point.MultiplyGenerator(DigestToScalar(curve, digest) * w) + ((r * w) * publicKey);
        return !point.IsIdentity && Scalar.FromValue(curve, point.X).Equals(r);
    }
}
