// secp256k1 (SEC 2 §2.4.1) point multiplication by a secret scalar through NBitcoin.Secp256k1 4.0.4, a C#
// port of libsecp256k1: k·G with its blinded, table-based generator multiplication (ECMultGenContext, the
// path libsecp256k1 signs with) and k·P with its constant-time signed-window ladder (GE.MultConst, the
// ecmult_const path libsecp256k1's ECDH uses). Both read every table entry and normalise in constant time.
using Secp = NBitcoin.Secp256k1;

namespace Threshold.Curves;

/// <summary>Constant-time k·G and k·P on secp256k1 through NBitcoin.Secp256k1.</summary>
internal sealed class Secp256k1SecretMultiplier : ISecretMultiplier
{
    private const int ScalarBits = 256;
    private const int FieldLength = 32;

    /// <inheritdoc />
    public string Description => "NBitcoin.Secp256k1 4.0.4 (ecmult_gen, ecmult_const)";

    /// <inheritdoc />
    public bool MultiplyGenerator(ReadOnlySpan<byte> scalar, Span<byte> result)
    {
        var k = Load(scalar);
        try
        {
            return Write(Secp.ECMultGenContext.Instance.MultGen(in k), result);
        }
        finally
        {
            Secp.Scalar.Clear(ref k);
        }
    }

    /// <inheritdoc />
    public bool Multiply(ReadOnlySpan<byte> point, ReadOnlySpan<byte> scalar, Span<byte> result)
    {
        var p = Parse(point);
        var k = Load(scalar);
        try
        {
            return Write(p.MultConst(in k, ScalarBits), result);
        }
        finally
        {
            Secp.Scalar.Clear(ref k);
        }
    }

    private static Secp.Scalar Load(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != FieldLength)
        {
            throw new ArgumentException("a scalar is 32 bytes", nameof(scalar));
        }

        var k = new Secp.Scalar(scalar, out var overflow);
        if (overflow != 0)
        {
            Secp.Scalar.Clear(ref k);
            throw new ArgumentException("scalar not reduced modulo the group order", nameof(scalar));
        }

        return k;
    }

    private static Secp.GE Parse(ReadOnlySpan<byte> point)
    {
        if (point.Length != Point.UncompressedLength || point[0] != 0x04)
        {
            throw new DecodingException(DecodingError.Malformed, "point");
        }

        // TryParse checks the coordinates are below p and satisfy the curve equation.
        return Secp.GE.TryParse(point, out var ge) && !ge.IsInfinity
            ? ge
            : throw new DecodingException(DecodingError.NotOnCurve, "point");
    }

    private static bool Write(Secp.GEJ product, Span<byte> result)
    {
        // Whether k·P is the identity is public (the product is published); the conversion to affine
        // coordinates (one field inversion) runs in constant time.
        if (product.IsInfinity)
        {
            return false;
        }

        var affine = product.ToGroupElement();
        result[0] = 0x04;
        affine.x.Normalize().WriteToSpan(result.Slice(1, FieldLength));
        affine.y.Normalize().WriteToSpan(result.Slice(1 + FieldLength, FieldLength));
        return true;
    }
}
