// RFC 9807 §5.2 registration, client side: CreateRegistrationRequest (§5.2.1) and
// FinalizeRegistrationRequest (§5.2.3).
using System.Security.Cryptography;
using Threshold.Opaque.Groups;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Oprf;

namespace Threshold.Opaque;

/// <summary>
/// The client's registration in progress: <see cref="Start(OpaqueConfiguration, ReadOnlySpan{byte}, RandomNumberGenerator)"/> blinds the password into a
/// <see cref="RegistrationRequest"/>; <see cref="Finish(RegistrationResponse, PartyIdentities)"/> turns the server's response into the record to
/// upload and the export key. Finish consumes the state; disposing wipes the password and blind.
/// </summary>
public sealed class ClientRegistration : IDisposable
{
    private readonly OpaqueConfiguration configuration;
    private readonly RandomNumberGenerator? rng;
    private OprfBlindedInput? oprf;

    private ClientRegistration(OpaqueConfiguration configuration, OprfBlindedInput oprf, RandomNumberGenerator? rng)
    {
        this.configuration = configuration;
        this.oprf = oprf;
        this.rng = rng;
        Request = new RegistrationRequest(oprf.BlindedElement);
    }

    /// <summary>The request to send to the server.</summary>
    public RegistrationRequest Request { get; }

    /// <summary>CreateRegistrationRequest(password) (§5.2.1): (blind, blinded_element) = Blind(password).</summary>
    /// <param name="configuration">The agreed configuration.</param>
    /// <param name="password">The password; copied, and wiped from the copy when done.</param>
    /// <param name="rng">Randomness for the blind now and the envelope nonce in <see cref="Finish(RegistrationResponse, PartyIdentities)"/>.</param>
    public static ClientRegistration Start(OpaqueConfiguration configuration, ReadOnlySpan<byte> password, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(rng);
        return new ClientRegistration(configuration, OprfClient.Blind(configuration.Suite.Oprf, password, rng), rng);
    }

    /// <summary>Start with a given blind (the RFC vectors' hook); takes ownership of it.</summary>
    internal static ClientRegistration Start(OpaqueConfiguration configuration, ReadOnlySpan<byte> password, GroupScalar blind) =>
        new(configuration, OprfClient.Blind(configuration.Suite.Oprf, password, blind), rng: null);

    /// <summary>
    /// FinalizeRegistrationRequest(password, blind, response, server_identity, client_identity) (§5.2.3):
    /// finishes the OPRF, stretches it into randomized_password and seals the envelope (Store, §4.1.2).
    /// </summary>
    /// <param name="response">The server's response (its public key becomes part of the envelope).</param>
    /// <param name="identities">The identities to bind; the same ones must be used at every login.</param>
    /// <exception cref="InvalidOperationException">Already finished or disposed.</exception>
    public ClientRegistrationResult Finish(RegistrationResponse response, PartyIdentities identities)
    {
        Span<byte> nonce = stackalloc byte[configuration.Suite.NonceLength];
        (rng ?? throw new InvalidOperationException("this registration was started without randomness")).GetBytes(nonce);
        return Finish(response, identities, nonce);
    }

    /// <summary>Finish with a given envelope_nonce (the RFC vectors' hook).</summary>
    internal ClientRegistrationResult Finish(RegistrationResponse response, PartyIdentities identities, ReadOnlySpan<byte> envelopeNonce)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(identities);
        var state = Interlocked.Exchange(ref oprf, null) ?? throw new InvalidOperationException("this registration was already finished");
        var suite = configuration.Suite;
        using var oprfOutput = state.Finalize(response.EvaluatedMessage);
        using var randomizedPassword = CredentialRetrieval.RandomizePassword(configuration, oprfOutput);
        var stored = Envelopes.Store(suite, randomizedPassword, response.ServerPublicKey, identities, envelopeNonce);
        using (stored.MaskingKey)
        {
            var record = new RegistrationRecord(stored.ClientPublicKey, stored.MaskingKey.Span, stored.Envelope);
            return new ClientRegistrationResult(record, stored.ExportKey);
        }
    }

    /// <summary>Wipes the password copy and the blind.</summary>
    public void Dispose() => Interlocked.Exchange(ref oprf, null)?.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"ClientRegistration({configuration.Suite.Name})";
}

/// <summary>The client's registration output: the record for the server and the client-only export key.</summary>
public sealed class ClientRegistrationResult : IDisposable
{
    internal ClientRegistrationResult(RegistrationRecord record, SecretBytes exportKey)
    {
        Record = record;
        ExportKey = exportKey;
    }

    /// <summary>record: upload it to the server over a confidential channel (it holds the masking key).</summary>
    public RegistrationRecord Record { get; }

    /// <summary>export_key (Nh bytes): known only to the client; the same at every later login.</summary>
    public SecretBytes ExportKey { get; }

    /// <summary>Wipes the export key.</summary>
    public void Dispose() => ExportKey.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"ClientRegistrationResult({Record}, export_key={ExportKey})";
}
