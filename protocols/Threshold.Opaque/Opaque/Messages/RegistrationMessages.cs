// RFC 9807 §5.1 registration messages (RegistrationRequest, RegistrationResponse, RegistrationRecord)
// and §4.1.1 Envelope. Deserialize validates lengths and every group element.
using System.Security.Cryptography;
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Messages;

/// <summary>RegistrationRequest { blinded_message[Noe] } (RFC 9807 §5.1).</summary>
public sealed class RegistrationRequest
{
    internal RegistrationRequest(GroupElement blindedMessage) => BlindedMessage = blindedMessage;

    /// <summary>blinded_message: the blinded password.</summary>
    public GroupElement BlindedMessage { get; }

    /// <summary>The wire encoding (Noe bytes).</summary>
    public byte[] Serialize() => BlindedMessage.Serialize();

    /// <summary>Decodes and validates a request.</summary>
    /// <exception cref="DecodingException">Wrong length or an invalid element.</exception>
    public static RegistrationRequest Deserialize(OpaqueSuite suite, ReadOnlySpan<byte> encoded)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var reader = new MessageReader(encoded, suite.PublicKeyLength, "RegistrationRequest");
        return new RegistrationRequest(suite.Group.DeserializeElement(reader.Take(suite.PublicKeyLength), "RegistrationRequest.blinded_message"));
    }
}

/// <summary>RegistrationResponse { evaluated_message[Noe]; server_public_key[Npk] } (RFC 9807 §5.1).</summary>
public sealed class RegistrationResponse
{
    internal RegistrationResponse(GroupElement evaluatedMessage, GroupElement serverPublicKey)
    {
        EvaluatedMessage = evaluatedMessage;
        ServerPublicKey = serverPublicKey;
    }

    /// <summary>evaluated_message: the OPRF evaluation of the blinded password.</summary>
    public GroupElement EvaluatedMessage { get; }

    /// <summary>server_public_key: the server's AKE public key.</summary>
    public GroupElement ServerPublicKey { get; }

    /// <summary>The wire encoding (Noe + Npk bytes).</summary>
    public byte[] Serialize() => [.. EvaluatedMessage.Serialize(), .. ServerPublicKey.Serialize()];

    /// <summary>Decodes and validates a response.</summary>
    /// <exception cref="DecodingException">Wrong length or an invalid element.</exception>
    public static RegistrationResponse Deserialize(OpaqueSuite suite, ReadOnlySpan<byte> encoded)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var n = suite.PublicKeyLength;
        var reader = new MessageReader(encoded, 2 * n, "RegistrationResponse");
        return new RegistrationResponse(
            suite.Group.DeserializeElement(reader.Take(n), "RegistrationResponse.evaluated_message"),
            suite.Group.DeserializeElement(reader.Take(n), "RegistrationResponse.server_public_key"));
    }
}

/// <summary>Envelope { envelope_nonce[Nn]; auth_tag[Nm] } (RFC 9807 §4.1.1).</summary>
public sealed class Envelope
{
    private readonly byte[] nonce;
    private readonly byte[] authTag;

    internal Envelope(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> authTag)
    {
        this.nonce = nonce.ToArray();
        this.authTag = authTag.ToArray();
    }

    /// <summary>envelope_nonce.</summary>
    public ReadOnlySpan<byte> Nonce => nonce;

    /// <summary>auth_tag: MAC over the nonce and the cleartext credentials.</summary>
    public ReadOnlySpan<byte> AuthTag => authTag;

    /// <summary>The wire encoding (Nn + Nm bytes).</summary>
    public byte[] Serialize() => [.. nonce, .. authTag];

    /// <summary>The all-zero envelope of a fake record (RFC 9807 §6.3.2.2).</summary>
    internal static Envelope Zero(OpaqueSuite suite) => new(new byte[suite.NonceLength], new byte[suite.HashLength]);
}

/// <summary>
/// RegistrationRecord { client_public_key[Npk]; masking_key[Nh]; envelope } (RFC 9807 §5.1): what the
/// server stores per credential. The masking key is sensitive (it unmasks the envelope), so it is not
/// printed.
/// </summary>
public sealed class RegistrationRecord
{
    private readonly byte[] maskingKey;

    internal RegistrationRecord(GroupElement clientPublicKey, ReadOnlySpan<byte> maskingKey, Envelope envelope)
    {
        ClientPublicKey = clientPublicKey;
        this.maskingKey = maskingKey.ToArray();
        Envelope = envelope;
    }

    /// <summary>client_public_key: the client's long-term AKE public key.</summary>
    public GroupElement ClientPublicKey { get; }

    /// <summary>masking_key: the key that masks the credential response against enumeration.</summary>
    public ReadOnlySpan<byte> MaskingKey => maskingKey;

    /// <summary>envelope.</summary>
    public Envelope Envelope { get; }

    /// <summary>The wire and storage encoding (Npk + Nh + Nn + Nm bytes).</summary>
    public byte[] Serialize() => [.. ClientPublicKey.Serialize(), .. maskingKey, .. Envelope.Serialize()];

    /// <summary>Decodes and validates a record (the client public key must be a valid, non-identity element).</summary>
    /// <exception cref="DecodingException">Wrong length or an invalid public key.</exception>
    public static RegistrationRecord Deserialize(OpaqueSuite suite, ReadOnlySpan<byte> encoded)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var reader = new MessageReader(encoded, suite.PublicKeyLength + suite.HashLength + suite.EnvelopeLength, "RegistrationRecord");
        var clientPublicKey = suite.Group.DeserializeElement(reader.Take(suite.PublicKeyLength), "RegistrationRecord.client_public_key");
        var maskingKey = reader.Take(suite.HashLength);
        var envelope = new Envelope(reader.Take(suite.NonceLength), reader.Take(suite.HashLength));
        return new RegistrationRecord(clientPublicKey, maskingKey, envelope);
    }

    /// <summary>
    /// A fake record for an unknown credential (RFC 9807 §6.3.2.2): the given public key, a random
    /// masking key, an all-zero envelope.
    /// </summary>
    public static RegistrationRecord CreateFake(OpaqueSuite suite, GroupElement fakeClientPublicKey, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(rng);
        Span<byte> maskingKey = stackalloc byte[suite.HashLength];
        rng.GetBytes(maskingKey);
        return new RegistrationRecord(fakeClientPublicKey, maskingKey, Envelope.Zero(suite));
    }

    /// <summary>Names the public key only.</summary>
    public override string ToString() => $"RegistrationRecord(client_public_key={ClientPublicKey})";
}
