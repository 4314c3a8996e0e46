// RFC 9497 §3.2: the server key pair (skS, pkS = skS·G).
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Oprf;

/// <summary>An OPRF (or OPAQUE AKE) key pair: the secret scalar skS and the public element pkS.</summary>
public sealed class OprfKeyPair : IDisposable
{
    /// <summary>Takes ownership of <paramref name="secretKey"/> (disposed with this pair).</summary>
    public OprfKeyPair(GroupScalar secretKey, GroupElement publicKey)
    {
        SecretKey = secretKey ?? throw new ArgumentNullException(nameof(secretKey));
        PublicKey = publicKey ?? throw new ArgumentNullException(nameof(publicKey));
    }

    /// <summary>skS.</summary>
    public GroupScalar SecretKey { get; }

    /// <summary>pkS = skS·G.</summary>
    public GroupElement PublicKey { get; }

    /// <summary>Wipes the secret key.</summary>
    public void Dispose() => SecretKey.Dispose();

    /// <summary>Shows the public key only.</summary>
    public override string ToString() => $"OprfKeyPair(pk={PublicKey})";
}
