// RFC 9807 §6.4 the 3DH AKE: DiffieHellman (§6.4.1), Expand-Label / Derive-Secret and the preamble
// (§6.4.2.1), DeriveKeys (§6.4.2.2), and the MACs of AuthClientFinalize / AuthServerRespond (§6.4.3-4).
using System.Buffers.Binary;
using System.Security.Cryptography;
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Ake;

/// <summary>The keys DeriveKeys produces: Km2 (server MAC), Km3 (client MAC) and the session key.</summary>
internal sealed class HandshakeKeys(SecretBytes serverMacKey, SecretBytes clientMacKey, SecretBytes sessionKey) : IDisposable
{
    public SecretBytes ServerMacKey { get; } = serverMacKey;

    public SecretBytes ClientMacKey { get; } = clientMacKey;

    public SecretBytes SessionKey { get; } = sessionKey;

    public void Dispose()
    {
        ServerMacKey.Dispose();
        ClientMacKey.Dispose();
        SessionKey.Dispose();
    }
}

/// <summary>The key schedule and transcript of OPAQUE-3DH.</summary>
internal static class ThreeDh
{
    /// <summary>
    /// DiffieHellman(k, B) = SerializeElement(k·B) for ristretto255 and P-256 (§6.4.1). B was validated
    /// when decoded; the product of a non-zero scalar and a non-identity element of a prime-order group is
    /// never the identity, and that is checked anyway (§10.7).
    /// </summary>
    public static byte[] DiffieHellman(IOprfGroup group, GroupScalar k, GroupElement b)
    {
        var shared = group.Multiply(k, b);
        return shared.IsIdentity ? throw new OpaqueAuthenticationException() : shared.Serialize();
    }

    /// <summary>
    /// Preamble = "OPAQUEv1-" || I2OSP(len(context), 2) || context || I2OSP(len(client_identity), 2) ||
    /// client_identity || ke1 || I2OSP(len(server_identity), 2) || server_identity || credential_response ||
    /// server_nonce || server_public_keyshare.
    /// </summary>
    public static byte[] Preamble(
        ReadOnlySpan<byte> context,
        ReadOnlySpan<byte> clientIdentity,
        ReadOnlySpan<byte> ke1,
        ReadOnlySpan<byte> serverIdentity,
        ReadOnlySpan<byte> credentialResponse,
        ReadOnlySpan<byte> serverNonce,
        ReadOnlySpan<byte> serverPublicKeyshare) =>
    [
        .. "OPAQUEv1-"u8,
        .. CleartextCredentials.WithLength(context),
        .. CleartextCredentials.WithLength(clientIdentity),
        .. ke1,
        .. CleartextCredentials.WithLength(serverIdentity),
        .. credentialResponse,
        .. serverNonce,
        .. serverPublicKeyshare,
    ];

    /// <summary>
    /// DeriveKeys(ikm, preamble): prk = Extract("", ikm); handshake_secret and session_key by Derive-Secret
    /// over Hash(preamble); Km2 = Derive-Secret(handshake_secret, "ServerMAC", ""), Km3 likewise "ClientMAC".
    /// </summary>
    public static HandshakeKeys DeriveKeys(OpaqueSuite suite, ReadOnlySpan<byte> inputKeyMaterial, ReadOnlySpan<byte> preamble)
    {
        var transcriptHash = suite.Hash(preamble);
        using var prk = suite.Extract([], inputKeyMaterial);
        using var handshakeSecret = DeriveSecret(suite, prk, "HandshakeSecret"u8, transcriptHash);
        var sessionKey = DeriveSecret(suite, prk, "SessionKey"u8, transcriptHash);
        var serverMacKey = DeriveSecret(suite, handshakeSecret, "ServerMAC"u8, []);
        var clientMacKey = DeriveSecret(suite, handshakeSecret, "ClientMAC"u8, []);
        return new HandshakeKeys(serverMacKey, clientMacKey, sessionKey);
    }

    /// <summary>server_mac = MAC(Km2, Hash(preamble)).</summary>
    public static byte[] ServerMac(OpaqueSuite suite, HandshakeKeys keys, ReadOnlySpan<byte> preamble) =>
        suite.Mac(keys.ServerMacKey.Span, suite.Hash(preamble));

    /// <summary>client_mac = MAC(Km3, Hash(preamble || server_mac)).</summary>
    public static byte[] ClientMac(OpaqueSuite suite, HandshakeKeys keys, ReadOnlySpan<byte> preamble, ReadOnlySpan<byte> serverMac) =>
        suite.Mac(keys.ClientMacKey.Span, suite.Hash([.. preamble, .. serverMac]));

    /// <summary>
    /// Derive-Secret(Secret, Label, Transcript-Hash) = Expand-Label(Secret, Label, Transcript-Hash, Nx), where
    /// Expand-Label expands under CustomLabel { uint16 length; opaque label&lt;8..255&gt; = "OPAQUE-" + Label;
    /// uint8 context&lt;0..255&gt; }.
    /// </summary>
    private static SecretBytes DeriveSecret(OpaqueSuite suite, SecretBytes secret, ReadOnlySpan<byte> label, ReadOnlySpan<byte> context)
    {
        var length = suite.HashLength;
        var fullLabelLength = 7 + label.Length;
        var customLabel = new byte[2 + 1 + fullLabelLength + 1 + context.Length];
        BinaryPrimitives.WriteUInt16BigEndian(customLabel, checked((ushort)length));
        customLabel[2] = checked((byte)fullLabelLength);
        "OPAQUE-"u8.CopyTo(customLabel.AsSpan(3));
        label.CopyTo(customLabel.AsSpan(10));
        customLabel[3 + fullLabelLength] = checked((byte)context.Length);
        context.CopyTo(customLabel.AsSpan(4 + fullLabelLength));
        return suite.Expand(secret.Span, customLabel, length);
    }
}
