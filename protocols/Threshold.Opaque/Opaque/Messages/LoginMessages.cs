// RFC 9807 §6.1 AKE messages KE1, KE2, KE3 and §6.3.1 CredentialRequest / CredentialResponse, with
// §6.1's AuthRequest / AuthResponse. Deserialize validates lengths and every group element.
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Messages;

/// <summary>KE1 { CredentialRequest { blinded_message[Noe] }; AuthRequest { client_nonce[Nn]; client_public_keyshare[Npk] } }.</summary>
public sealed class KE1
{
    private readonly byte[] clientNonce;

    internal KE1(GroupElement blindedMessage, ReadOnlySpan<byte> clientNonce, GroupElement clientPublicKeyshare)
    {
        BlindedMessage = blindedMessage;
        this.clientNonce = clientNonce.ToArray();
        ClientPublicKeyshare = clientPublicKeyshare;
    }

    /// <summary>credential_request.blinded_message.</summary>
    public GroupElement BlindedMessage { get; }

    /// <summary>auth_request.client_nonce.</summary>
    public ReadOnlySpan<byte> ClientNonce => clientNonce;

    /// <summary>auth_request.client_public_keyshare: the client's ephemeral 3DH public key.</summary>
    public GroupElement ClientPublicKeyshare { get; }

    /// <summary>The wire encoding (Noe + Nn + Npk bytes), which also enters the preamble.</summary>
    public byte[] Serialize() => [.. BlindedMessage.Serialize(), .. clientNonce, .. ClientPublicKeyshare.Serialize()];

    /// <summary>Decodes and validates KE1.</summary>
    /// <exception cref="DecodingException">Wrong length or an invalid element.</exception>
    public static KE1 Deserialize(OpaqueSuite suite, ReadOnlySpan<byte> encoded)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var n = suite.PublicKeyLength;
        var reader = new MessageReader(encoded, n + suite.NonceLength + n, "KE1");
        var blinded = suite.Group.DeserializeElement(reader.Take(n), "KE1.credential_request.blinded_message");
        var nonce = reader.Take(suite.NonceLength);
        var keyshare = suite.Group.DeserializeElement(reader.Take(n), "KE1.auth_request.client_public_keyshare");
        return new KE1(blinded, nonce, keyshare);
    }
}

/// <summary>
/// CredentialResponse { evaluated_message[Noe]; masking_nonce[Nn]; masked_response[Npk + Nn + Nm] }
/// (RFC 9807 §6.3.1): the OPRF evaluation and the masked server public key and envelope.
/// </summary>
public sealed class CredentialResponse
{
    private readonly byte[] maskingNonce;
    private readonly byte[] maskedResponse;

    internal CredentialResponse(GroupElement evaluatedMessage, ReadOnlySpan<byte> maskingNonce, ReadOnlySpan<byte> maskedResponse)
    {
        EvaluatedMessage = evaluatedMessage;
        this.maskingNonce = maskingNonce.ToArray();
        this.maskedResponse = maskedResponse.ToArray();
    }

    /// <summary>evaluated_message.</summary>
    public GroupElement EvaluatedMessage { get; }

    /// <summary>masking_nonce.</summary>
    public ReadOnlySpan<byte> MaskingNonce => maskingNonce;

    /// <summary>masked_response = xor(pad, server_public_key || envelope).</summary>
    public ReadOnlySpan<byte> MaskedResponse => maskedResponse;

    /// <summary>The wire encoding, which also enters the preamble.</summary>
    public byte[] Serialize() => [.. EvaluatedMessage.Serialize(), .. maskingNonce, .. maskedResponse];

    internal static int Length(OpaqueSuite suite) => suite.PublicKeyLength + suite.NonceLength + MaskedLength(suite);

    internal static int MaskedLength(OpaqueSuite suite) => suite.PublicKeyLength + suite.EnvelopeLength;

    internal static CredentialResponse Read(OpaqueSuite suite, ref MessageReader reader) => new(
        suite.Group.DeserializeElement(reader.Take(suite.PublicKeyLength), "KE2.credential_response.evaluated_message"),
        reader.Take(suite.NonceLength),
        reader.Take(MaskedLength(suite)));
}

/// <summary>
/// KE2 { CredentialResponse; AuthResponse { server_nonce[Nn]; server_public_keyshare[Npk]; server_mac[Nm] } }
/// (RFC 9807 §6.1).
/// </summary>
public sealed class KE2
{
    private readonly byte[] serverNonce;
    private readonly byte[] serverMac;

    internal KE2(CredentialResponse credentialResponse, ReadOnlySpan<byte> serverNonce, GroupElement serverPublicKeyshare, ReadOnlySpan<byte> serverMac)
    {
        CredentialResponse = credentialResponse;
        this.serverNonce = serverNonce.ToArray();
        ServerPublicKeyshare = serverPublicKeyshare;
        this.serverMac = serverMac.ToArray();
    }

    /// <summary>credential_response.</summary>
    public CredentialResponse CredentialResponse { get; }

    /// <summary>auth_response.server_nonce.</summary>
    public ReadOnlySpan<byte> ServerNonce => serverNonce;

    /// <summary>auth_response.server_public_keyshare: the server's ephemeral 3DH public key.</summary>
    public GroupElement ServerPublicKeyshare { get; }

    /// <summary>auth_response.server_mac.</summary>
    public ReadOnlySpan<byte> ServerMac => serverMac;

    /// <summary>The wire encoding.</summary>
    public byte[] Serialize() => [.. CredentialResponse.Serialize(), .. serverNonce, .. ServerPublicKeyshare.Serialize(), .. serverMac];

    /// <summary>Decodes and validates KE2.</summary>
    /// <exception cref="DecodingException">Wrong length or an invalid element.</exception>
    public static KE2 Deserialize(OpaqueSuite suite, ReadOnlySpan<byte> encoded)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var reader = new MessageReader(
            encoded, CredentialResponse.Length(suite) + suite.NonceLength + suite.PublicKeyLength + suite.HashLength, "KE2");
        var credentialResponse = CredentialResponse.Read(suite, ref reader);
        var nonce = reader.Take(suite.NonceLength);
        var keyshare = suite.Group.DeserializeElement(reader.Take(suite.PublicKeyLength), "KE2.auth_response.server_public_keyshare");
        var mac = reader.Take(suite.HashLength);
        return new KE2(credentialResponse, nonce, keyshare, mac);
    }
}

/// <summary>KE3 { client_mac[Nm] } (RFC 9807 §6.1).</summary>
public sealed class KE3
{
    private readonly byte[] clientMac;

    internal KE3(ReadOnlySpan<byte> clientMac) => this.clientMac = clientMac.ToArray();

    /// <summary>client_mac.</summary>
    public ReadOnlySpan<byte> ClientMac => clientMac;

    /// <summary>The wire encoding (Nm bytes).</summary>
    public byte[] Serialize() => [.. clientMac];

    /// <summary>Decodes KE3.</summary>
    /// <exception cref="DecodingException">Wrong length.</exception>
    public static KE3 Deserialize(OpaqueSuite suite, ReadOnlySpan<byte> encoded)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var reader = new MessageReader(encoded, suite.HashLength, "KE3");
        return new KE3(reader.Take(suite.HashLength));
    }
}
