// RFC 9807 §6.3.2 credential retrieval: CreateCredentialResponse (§6.3.2.2, masking of the server public
// key and envelope) and RecoverCredentials (§6.3.2.3); plus the randomized_password derivation shared with
// FinalizeRegistrationRequest (§5.2.3).
using System.Security.Cryptography;
using Threshold.Opaque.Groups;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Oprf;

namespace Threshold.Opaque;

/// <summary>The server public key recovered from the masked response, with the opened envelope.</summary>
internal sealed record RecoveredCredentials(GroupElement ServerPublicKey, RecoveredEnvelope Envelope);

/// <summary>Credential retrieval on both sides.</summary>
internal static class CredentialRetrieval
{
    /// <summary>randomized_password = Extract("", oprf_output || Stretch(oprf_output)).</summary>
    public static SecretBytes RandomizePassword(OpaqueConfiguration configuration, SecretBytes oprfOutput)
    {
        var suite = configuration.Suite;
        using var stretched = configuration.Ksf.Stretch(oprfOutput.Span, suite.HashLength);
        var input = GC.AllocateArray<byte>(oprfOutput.Length + stretched.Length, pinned: true);
        try
        {
            oprfOutput.CopyTo(input);
            stretched.CopyTo(input.AsSpan(oprfOutput.Length));
            return suite.Extract([], input);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }

    /// <summary>
    /// CreateCredentialResponse(request, server_public_key, record, credential_identifier, oprf_seed) with the
    /// OPRF key already derived and a given masking_nonce: evaluates the blinded password and masks
    /// server_public_key || envelope with Expand(masking_key, masking_nonce || "CredentialResponsePad").
    /// </summary>
    public static CredentialResponse CreateResponse(
        OpaqueSuite suite, GroupElement blindedMessage, GroupElement serverPublicKey, RegistrationRecord record, GroupScalar oprfKey, ReadOnlySpan<byte> maskingNonce)
    {
        var evaluated = OprfServer.BlindEvaluate(oprfKey, blindedMessage);
        var length = CredentialResponse.MaskedLength(suite);
        using var pad = suite.Expand(record.MaskingKey, [.. maskingNonce, .. "CredentialResponsePad"u8], length);
        var masked = Xor(pad.Span, [.. serverPublicKey.Serialize(), .. record.Envelope.Serialize()]);
        return new CredentialResponse(evaluated, maskingNonce, masked);
    }

    /// <summary>
    /// RecoverCredentials(password, blind, response, server_identity, client_identity): finishes the OPRF,
    /// stretches, unmasks the server public key and envelope, and opens the envelope. Consumes the OPRF state.
    /// </summary>
    /// <exception cref="OpaqueAuthenticationException">Any failure: the password is wrong or the response was altered.</exception>
    public static RecoveredCredentials Recover(
        OpaqueConfiguration configuration, OprfBlindedInput oprfState, CredentialResponse response, PartyIdentities identities)
    {
        var suite = configuration.Suite;
        using var oprfOutput = oprfState.Finalize(response.EvaluatedMessage);
        using var randomizedPassword = RandomizePassword(configuration, oprfOutput);
        using var maskingKey = suite.Expand(randomizedPassword.Span, "MaskingKey"u8, suite.HashLength);
        using var pad = suite.Expand(maskingKey.Span, [.. response.MaskingNonce, .. "CredentialResponsePad"u8], CredentialResponse.MaskedLength(suite));
        var unmasked = Xor(pad.Span, response.MaskedResponse);

        // With a wrong password the unmasked key is noise and usually fails to decode: that too is an
        // authentication failure, indistinguishable from a bad envelope tag.
        GroupElement serverPublicKey;
        try
        {
            serverPublicKey = suite.Group.DeserializeElement(unmasked.AsSpan(0, suite.PublicKeyLength), "server_public_key");
        }
        catch (DecodingException)
        {
            throw new OpaqueAuthenticationException();
        }

        var envelope = new Envelope(
            unmasked.AsSpan(suite.PublicKeyLength, suite.NonceLength),
            unmasked.AsSpan(suite.PublicKeyLength + suite.NonceLength, suite.HashLength));
        return new RecoveredCredentials(serverPublicKey, Envelopes.Recover(suite, randomizedPassword, serverPublicKey, envelope, identities));
    }

    private static byte[] Xor(ReadOnlySpan<byte> pad, ReadOnlySpan<byte> data)
    {
        var output = new byte[data.Length];
        for (var i = 0; i < output.Length; i++)
        {
            output[i] = (byte)(pad[i] ^ data[i]);
        }

        return output;
    }
}
