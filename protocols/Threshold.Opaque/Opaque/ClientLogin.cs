// RFC 9807 client side of the online phase: GenerateKE1 (§6.2.1) with AuthClientStart (§6.4.3) and
// GenerateKE3 (§6.2.3) with RecoverCredentials (§6.3.2.3) and AuthClientFinalize (§6.4.3).
using System.Security.Cryptography;
using Threshold.Opaque.Ake;
using Threshold.Opaque.Groups;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Oprf;

namespace Threshold.Opaque;

/// <summary>
/// The client's login in progress: <see cref="Start(OpaqueConfiguration, ReadOnlySpan{byte}, RandomNumberGenerator)"/> produces KE1; <see cref="Finish(KE2, PartyIdentities)"/>
/// authenticates the server and produces KE3, the session key and the export key. Finish consumes the
/// state; every credential failure is the one <see cref="OpaqueAuthenticationException"/>.
/// </summary>
public sealed class ClientLogin : IDisposable
{
    private readonly OpaqueConfiguration configuration;
    private readonly byte[] ke1Bytes;
    private OprfBlindedInput? oprf;
    private OprfKeyPair? clientKeyshare;

    private ClientLogin(OpaqueConfiguration configuration, OprfBlindedInput oprf, OprfKeyPair clientKeyshare, ReadOnlySpan<byte> clientNonce)
    {
        this.configuration = configuration;
        this.oprf = oprf;
        this.clientKeyshare = clientKeyshare;
        Message = new KE1(oprf.BlindedElement, clientNonce, clientKeyshare.PublicKey);
        ke1Bytes = Message.Serialize();
    }

    /// <summary>KE1: the message to send to the server.</summary>
    public KE1 Message { get; }

    /// <summary>
    /// GenerateKE1(password) (§6.2.1): blinds the password (CreateCredentialRequest) and draws the client
    /// nonce and ephemeral key share (AuthClientStart).
    /// </summary>
    public static ClientLogin Start(OpaqueConfiguration configuration, ReadOnlySpan<byte> password, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(rng);
        var suite = configuration.Suite;
        var blind = suite.Group.RandomScalar(rng);
        Span<byte> nonce = stackalloc byte[suite.NonceLength];
        Span<byte> keyshareSeed = stackalloc byte[suite.SeedLength];
        try
        {
            rng.GetBytes(nonce);
            rng.GetBytes(keyshareSeed);
            return Start(configuration, password, blind, nonce, keyshareSeed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyshareSeed);
        }
    }

    /// <summary>GenerateKE1 with the blind, client_nonce and client_keyshare_seed given (the RFC vectors' hook).</summary>
    internal static ClientLogin Start(
        OpaqueConfiguration configuration, ReadOnlySpan<byte> password, GroupScalar blind, ReadOnlySpan<byte> clientNonce, ReadOnlySpan<byte> clientKeyshareSeed)
    {
        var suite = configuration.Suite;
        var oprf = OprfClient.Blind(suite.Oprf, password, blind);
        var keyshare = suite.DeriveDiffieHellmanKeyPair(clientKeyshareSeed);
        return new ClientLogin(configuration, oprf, keyshare, clientNonce);
    }

    /// <summary>
    /// GenerateKE3(client_identity, server_identity, ke2) (§6.2.3): recovers the credentials, checks the
    /// server MAC, and returns KE3 with session_key and export_key. Consumes the state.
    /// </summary>
    /// <param name="ke2">The server's KE2.</param>
    /// <param name="identities">The identities bound at registration.</param>
    /// <exception cref="OpaqueAuthenticationException">Wrong password, unknown user, tampered KE2, or a server without this password's record.</exception>
    /// <exception cref="InvalidOperationException">Finish was already called, or the state disposed.</exception>
    public ClientLoginResult Finish(KE2 ke2, PartyIdentities identities)
    {
        ArgumentNullException.ThrowIfNull(ke2);
        ArgumentNullException.ThrowIfNull(identities);
        var state = Interlocked.Exchange(ref oprf, null) ?? throw new InvalidOperationException("this login was already finished");
        using var ephemeral = Interlocked.Exchange(ref clientKeyshare, null)!;
        var suite = configuration.Suite;
        var group = suite.Group;

        var recovered = CredentialRetrieval.Recover(configuration, state, ke2.CredentialResponse, identities);
        var exportKey = recovered.Envelope.ExportKey;
        using var clientKeyPair = recovered.Envelope.ClientKeyPair;
        var credentials = recovered.Envelope.Credentials;

        // AuthClientFinalize (§6.4.3).
        var ikm = GC.AllocateArray<byte>(3 * suite.PublicKeyLength, pinned: true);
        try
        {
            ThreeDh.DiffieHellman(group, ephemeral.SecretKey, ke2.ServerPublicKeyshare).CopyTo(ikm, 0);
            ThreeDh.DiffieHellman(group, ephemeral.SecretKey, recovered.ServerPublicKey).CopyTo(ikm, suite.PublicKeyLength);
            ThreeDh.DiffieHellman(group, clientKeyPair.SecretKey, ke2.ServerPublicKeyshare).CopyTo(ikm, 2 * suite.PublicKeyLength);
            var preamble = ThreeDh.Preamble(
                configuration.Context, credentials.ClientIdentity, ke1Bytes, credentials.ServerIdentity,
                ke2.CredentialResponse.Serialize(), ke2.ServerNonce, ke2.ServerPublicKeyshare.Serialize());
            using var keys = ThreeDh.DeriveKeys(suite, ikm, preamble);
            var expectedServerMac = ThreeDh.ServerMac(suite, keys, preamble);
            if (!CryptographicOperations.FixedTimeEquals(ke2.ServerMac, expectedServerMac))
            {
                throw new OpaqueAuthenticationException();
            }

            var clientMac = ThreeDh.ClientMac(suite, keys, preamble, expectedServerMac);
            var result = new ClientLoginResult(new KE3(clientMac), keys.SessionKey.Clone(), exportKey, recovered.ServerPublicKey);
            exportKey = null;
            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ikm);
            exportKey?.Dispose();
        }
    }

    /// <summary>GenerateKE3 on the wire form of KE2: a KE2 that does not decode is an authentication failure too.</summary>
    /// <exception cref="OpaqueAuthenticationException">As <see cref="Finish(KE2, PartyIdentities)"/>, or KE2 malformed.</exception>
    public ClientLoginResult Finish(ReadOnlySpan<byte> ke2, PartyIdentities identities)
    {
        KE2 message;
        try
        {
            message = KE2.Deserialize(configuration.Suite, ke2);
        }
        catch (DecodingException)
        {
            Dispose();
            throw new OpaqueAuthenticationException();
        }

        return Finish(message, identities);
    }

    /// <summary>Abandons the login: wipes the password copy, blind and ephemeral key.</summary>
    public void Dispose()
    {
        Interlocked.Exchange(ref oprf, null)?.Dispose();
        Interlocked.Exchange(ref clientKeyshare, null)?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"ClientLogin({configuration.Suite.Name})";
}

/// <summary>The client's login output.</summary>
public sealed class ClientLoginResult : IDisposable
{
    internal ClientLoginResult(KE3 message, SecretBytes sessionKey, SecretBytes exportKey, GroupElement serverPublicKey)
    {
        Message = message;
        SessionKey = sessionKey;
        ExportKey = exportKey;
        ServerPublicKey = serverPublicKey;
    }

    /// <summary>KE3: send it to the server to complete the login.</summary>
    public KE3 Message { get; }

    /// <summary>session_key (Nx bytes), shared with the server once it accepts KE3.</summary>
    public SecretBytes SessionKey { get; }

    /// <summary>export_key (Nh bytes): client-only, the same as at registration.</summary>
    public SecretBytes ExportKey { get; }

    /// <summary>The server public key recovered from the envelope (authenticated by it).</summary>
    public GroupElement ServerPublicKey { get; }

    /// <summary>Wipes both keys.</summary>
    public void Dispose()
    {
        SessionKey.Dispose();
        ExportKey.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"ClientLoginResult(session_key={SessionKey}, export_key={ExportKey})";
}
