// RFC 9807 §4 client credential storage: CleartextCredentials (§4), Store (§4.1.2) and Recover (§4.1.3).
using System.Buffers.Binary;
using System.Security.Cryptography;
using Threshold.Opaque.Groups;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Oprf;

namespace Threshold.Opaque;

/// <summary>CleartextCredentials { server_public_key[Npk]; server_identity&lt;1..2^16-1&gt;; client_identity&lt;1..2^16-1&gt; }.</summary>
internal sealed class CleartextCredentials
{
    private CleartextCredentials(byte[] serverPublicKey, byte[] serverIdentity, byte[] clientIdentity)
    {
        ServerPublicKey = serverPublicKey;
        ServerIdentity = serverIdentity;
        ClientIdentity = clientIdentity;
    }

    public byte[] ServerPublicKey { get; }

    public byte[] ServerIdentity { get; }

    public byte[] ClientIdentity { get; }

    /// <summary>CreateCleartextCredentials: absent identities default to the public keys.</summary>
    public static CleartextCredentials Create(byte[] serverPublicKey, byte[] clientPublicKey, PartyIdentities identities) => new(
        serverPublicKey,
        identities.HasServer ? identities.Server.ToArray() : serverPublicKey,
        identities.HasClient ? identities.Client.ToArray() : clientPublicKey);

    /// <summary>The TLS-style encoding: server_public_key || I2OSP(len, 2) || server_identity || I2OSP(len, 2) || client_identity.</summary>
    public byte[] Encode() => [.. ServerPublicKey, .. WithLength(ServerIdentity), .. WithLength(ClientIdentity)];

    internal static byte[] WithLength(ReadOnlySpan<byte> value)
    {
        var output = new byte[2 + value.Length];
        BinaryPrimitives.WriteUInt16BigEndian(output, checked((ushort)value.Length));
        value.CopyTo(output.AsSpan(2));
        return output;
    }
}

/// <summary>The output of Store: what the record keeps and what the client keeps.</summary>
internal sealed record StoredEnvelope(Envelope Envelope, GroupElement ClientPublicKey, SecretBytes MaskingKey, SecretBytes ExportKey);

/// <summary>The output of Recover.</summary>
internal sealed record RecoveredEnvelope(OprfKeyPair ClientKeyPair, CleartextCredentials Credentials, SecretBytes ExportKey);

/// <summary>Store and Recover of the key-recovery mechanism (RFC 9807 §4.1).</summary>
internal static class Envelopes
{
    /// <summary>Store(randomized_password, server_public_key, server_identity, client_identity) with a given envelope_nonce.</summary>
    public static StoredEnvelope Store(
        OpaqueSuite suite, SecretBytes randomizedPassword, GroupElement serverPublicKey, PartyIdentities identities, ReadOnlySpan<byte> envelopeNonce)
    {
        var maskingKey = suite.Expand(randomizedPassword.Span, "MaskingKey"u8, suite.HashLength);
        using var authKey = suite.Expand(randomizedPassword.Span, [.. envelopeNonce, .. "AuthKey"u8], suite.HashLength);
        var exportKey = suite.Expand(randomizedPassword.Span, [.. envelopeNonce, .. "ExportKey"u8], suite.HashLength);
        using var seed = suite.Expand(randomizedPassword.Span, [.. envelopeNonce, .. "PrivateKey"u8], suite.SeedLength);
        using var clientKeyPair = suite.DeriveDiffieHellmanKeyPair(seed.Span);

        var credentials = CleartextCredentials.Create(serverPublicKey.Serialize(), clientKeyPair.PublicKey.Serialize(), identities);
        var authTag = suite.Mac(authKey.Span, [.. envelopeNonce, .. credentials.Encode()]);
        return new StoredEnvelope(new Envelope(envelopeNonce, authTag), clientKeyPair.PublicKey, maskingKey, exportKey);
    }

    /// <summary>
    /// Recover(randomized_password, server_public_key, envelope, server_identity, client_identity):
    /// re-derives the client key pair and checks the envelope tag in constant time.
    /// </summary>
    /// <exception cref="OpaqueAuthenticationException">EnvelopeRecoveryError.</exception>
    public static RecoveredEnvelope Recover(
        OpaqueSuite suite, SecretBytes randomizedPassword, GroupElement serverPublicKey, Envelope envelope, PartyIdentities identities)
    {
        using var authKey = suite.Expand(randomizedPassword.Span, [.. envelope.Nonce, .. "AuthKey"u8], suite.HashLength);
        var exportKey = suite.Expand(randomizedPassword.Span, [.. envelope.Nonce, .. "ExportKey"u8], suite.HashLength);
        using var seed = suite.Expand(randomizedPassword.Span, [.. envelope.Nonce, .. "PrivateKey"u8], suite.SeedLength);
        var clientKeyPair = suite.DeriveDiffieHellmanKeyPair(seed.Span);

        var credentials = CleartextCredentials.Create(serverPublicKey.Serialize(), clientKeyPair.PublicKey.Serialize(), identities);
        var expectedTag = suite.Mac(authKey.Span, [.. envelope.Nonce, .. credentials.Encode()]);
        if (!CryptographicOperations.FixedTimeEquals(envelope.AuthTag, expectedTag))
        {
            // "All previously-computed intermediary values MUST be deleted."
            exportKey.Dispose();
            clientKeyPair.Dispose();
            throw new OpaqueAuthenticationException();
        }

        return new RecoveredEnvelope(clientKeyPair, credentials, exportKey);
    }
}
