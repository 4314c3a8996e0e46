namespace Threshold.Curves;

/// <summary>
/// Point multiplication by a secret scalar in time independent of the scalar, for one curve. Points cross
/// this interface as SEC1 uncompressed encodings (65 bytes) and scalars as 32 big-endian bytes below the
/// group order, so implementations over different libraries share no types. The point is public: its
/// validity and identity checks may branch; nothing may branch on, or index memory by, the scalar.
/// </summary>
internal interface ISecretMultiplier
{
    /// <summary>The library and the path it takes, for reports ("NBitcoin.Secp256k1 ecmult_const").</summary>
    string Description { get; }

    /// <summary>
    /// k·G into <paramref name="result"/> (65 bytes, uncompressed). Returns false, writing nothing, when the
    /// result is the identity (k = 0).
    /// </summary>
    bool MultiplyGenerator(ReadOnlySpan<byte> scalar, Span<byte> result);

    /// <summary>
    /// k·P into <paramref name="result"/> (65 bytes, uncompressed) for the uncompressed encoding
    /// <paramref name="point"/>. Returns false, writing nothing, when the result is the identity.
    /// </summary>
    /// <exception cref="DecodingException"><paramref name="point"/> is malformed, not on the curve, or the identity.</exception>
    bool Multiply(ReadOnlySpan<byte> point, ReadOnlySpan<byte> scalar, Span<byte> result);
}
