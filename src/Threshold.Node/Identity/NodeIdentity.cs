using System.Security.Cryptography;

namespace Threshold.Node.Identity;

/// <summary>
/// A node's long-term keys: ECDSA P-256 to sign every protocol message it sends (transferable blame
/// evidence) and ECDH P-256 to receive payloads encrypted to it. Exported as PKCS#8 for sealed storage.
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    private NodeIdentity(string nodeId, int party, ECDsa signing, ECDiffieHellman agreement)
    {
        NodeId = nodeId;
        Party = party;
        Signing = signing;
        Agreement = agreement;
    }

    /// <summary>The node's name (OPAQUE server identity, routing key).</summary>
    public string NodeId { get; }

    /// <summary>The node's party index in every protocol (its Shamir x-coordinate).</summary>
    public int Party { get; }

    /// <summary>The message-signing key.</summary>
    public ECDsa Signing { get; }

    /// <summary>The key-agreement key.</summary>
    public ECDiffieHellman Agreement { get; }

    /// <summary>SubjectPublicKeyInfo of the signing key.</summary>
    public byte[] SigningPublicKey => Signing.ExportSubjectPublicKeyInfo();

    /// <summary>SubjectPublicKeyInfo of the agreement key.</summary>
    public byte[] AgreementPublicKey => Agreement.ExportSubjectPublicKeyInfo();

    /// <summary>Fresh keys.</summary>
    public static NodeIdentity Create(string nodeId, int party)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentOutOfRangeException.ThrowIfLessThan(party, 1);
        return new NodeIdentity(nodeId, party, ECDsa.Create(ECCurve.NamedCurves.nistP256), ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256));
    }

    /// <summary>Keys from their PKCS#8 encodings.</summary>
    public static NodeIdentity Import(string nodeId, int party, ReadOnlySpan<byte> signingPkcs8, ReadOnlySpan<byte> agreementPkcs8)
    {
        var signing = ECDsa.Create();
        signing.ImportPkcs8PrivateKey(signingPkcs8, out _);
        var agreement = ECDiffieHellman.Create();
        agreement.ImportPkcs8PrivateKey(agreementPkcs8, out _);
        return new NodeIdentity(nodeId, party, signing, agreement);
    }

    /// <summary>The PKCS#8 encodings (secret: seal before storing).</summary>
    public (byte[] Signing, byte[] Agreement) Export() => (Signing.ExportPkcs8PrivateKey(), Agreement.ExportPkcs8PrivateKey());

    /// <inheritdoc />
    public void Dispose()
    {
        Signing.Dispose();
        Agreement.Dispose();
    }

    /// <summary>Names the node only.</summary>
    public override string ToString() => $"NodeIdentity({NodeId}, party {Party})";
}
