using Google.Protobuf;
using Threshold.Curves;
using Threshold.Proofs.Encoding;

namespace Threshold.Cggmp.Signing;

/// <summary>One signer's share σ_i = k_i·m + r·χ_i of the signature's s.</summary>
/// <param name="Party">The signer.</param>
/// <param name="Sigma">σ_i.</param>
public sealed record PartialSignature(int Party, Scalar Sigma)
{
    /// <summary>Protobuf encoding (what a signer sends the combiner).</summary>
    public byte[] Encode() => new Wire.PartialSignatureMessage { Party = (uint)Party, Sigma = WireCodec.Scalar(Sigma) }.ToByteArray();

    /// <summary>Strict decoding: a positive index and a canonical scalar.</summary>
    public static PartialSignature Decode(Curve curve, ReadOnlySpan<byte> encoded)
    {
        var m = WireCodec.Parse(Wire.PartialSignatureMessage.Parser, encoded, "partial signature");
        if (m.Party is 0 or > 1024)
        {
            throw new DecodingException(DecodingError.OutOfRange, "partial signature party");
        }

        return new PartialSignature((int)m.Party, WireCodec.DecodeScalar(curve, m.Sigma, "σ_i"));
    }
}
