using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Opaque;
using Threshold.Opaque.Server;

namespace Threshold.Node.Identity;

/// <summary>A node's long-term secrets as they are stored (sealed): identity keys, OPAQUE setup, TLS key.</summary>
/// <param name="Identity">Signing and agreement keys, name and party.</param>
/// <param name="Opaque">The OPAQUE AKE key pair and seeds.</param>
/// <param name="TlsPkcs12">The TLS certificate with its private key.</param>
public sealed record NodeSecrets(NodeIdentity Identity, ServerSetup Opaque, byte[] TlsPkcs12)
{
    /// <summary>The storage encoding (secret).</summary>
    public byte[] Encode()
    {
        var (signing, agreement) = Identity.Export();
        return new Wire.StoredIdentity
        {
            NodeId = Identity.NodeId,
            Party = (uint)Identity.Party,
            SigningPkcs8 = ByteString.CopyFrom(signing),
            AgreementPkcs8 = ByteString.CopyFrom(agreement),
            OpaqueSuite = Opaque.Suite.Name,
            OpaqueSetup = ByteString.CopyFrom(Opaque.Export()),
            TlsPkcs12 = ByteString.CopyFrom(TlsPkcs12),
        }.ToByteArray();
    }

    /// <summary>Restores stored secrets.</summary>
    /// <exception cref="DecodingException">The record does not decode.</exception>
    public static NodeSecrets Decode(ReadOnlySpan<byte> encoded)
    {
        Wire.StoredIdentity m;
        try
        {
            m = Wire.StoredIdentity.Parser.ParseFrom(encoded);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new DecodingException(DecodingError.Malformed, "node identity");
        }

        if (m.Party is 0 or > 1024)
        {
            throw new DecodingException(DecodingError.OutOfRange, "node identity party");
        }

        var suite = m.OpaqueSuite == OpaqueSuite.P256Sha256.Name ? OpaqueSuite.P256Sha256 : OpaqueSuite.Ristretto255Sha512;
        var opaque = ServerSetup.Import(suite, m.OpaqueSetup.Span);
        NodeIdentity identity;
        try
        {
            identity = NodeIdentity.Import(m.NodeId, (int)m.Party, m.SigningPkcs8.Span, m.AgreementPkcs8.Span);
        }
        catch (CryptographicException)
        {
            // A PKCS#8 key that does not import is a record that does not decode, as documented.
            throw new DecodingException(DecodingError.Malformed, "node identity keys");
        }

        return new NodeSecrets(identity, opaque, m.TlsPkcs12.ToByteArray());
    }
}
