using Threshold.Opaque.Messages;
using Threshold.Opaque.Tests.Support;
using Threshold.Randomness;

namespace Threshold.Opaque.Tests.Flows;

/// <summary>
/// Whole RFC 9807 flows on both suites with every KSF: the right password gives the same keys on both
/// sides; every kind of failure gives the one <see cref="OpaqueAuthenticationException"/>.
/// </summary>
public sealed class RegistrationAndLoginFlowTests
{
    private static readonly byte[] Password = "correct horse battery staple"u8.ToArray();
    private static readonly byte[] CredentialId = "alice@example"u8.ToArray();

    public static TheoryData<string, string> SuitesAndKsfs => TestSetups.SuitesAndKsfs;

    public static TheoryData<string> Suites => TestSetups.SuiteNames;

    [Theory]
    [MemberData(nameof(SuitesAndKsfs))]
    public void RightPasswordGivesTheSameKeysOnBothSides(string suite, string ksf)
    {
        using var fixture = new Fixture(suite, ksf);
        using var registered = fixture.Register(Password);

        using var login = ClientLogin.Start(fixture.Configuration, Password, fixture.Rng);
        using var serverLogin = fixture.StartServerLogin(login.Message, registered.Record);
        using var client = login.Finish(serverLogin.Message.Serialize(), fixture.Identities);
        using var serverKey = serverLogin.Finish(client.Message.Serialize());

        Assert.Equal(fixture.Configuration.Suite.HashLength, client.SessionKey.Length);
        Assert.True(client.SessionKey.FixedTimeEquals(serverKey.Span));
        Assert.True(client.ExportKey.FixedTimeEquals(registered.ExportKey.Span));
        Assert.False(client.ExportKey.FixedTimeEquals(client.SessionKey.Span));
        Assert.Equal(fixture.Server.PublicKey, client.ServerPublicKey);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void EveryLoginHasFreshSessionKeysButTheSameExportKey(string suite)
    {
        using var fixture = new Fixture(suite);
        using var registered = fixture.Register(Password);
        var first = fixture.LoginKeys(Password, registered.Record);
        var second = fixture.LoginKeys(Password, registered.Record);
        Assert.NotEqual(first.Session, second.Session);
        Assert.Equal(first.Export, second.Export);
    }

    [Theory]
    [MemberData(nameof(SuitesAndKsfs))]
    public void WrongPasswordFails(string suite, string ksf)
    {
        using var fixture = new Fixture(suite, ksf);
        using var registered = fixture.Register(Password);
        using var login = ClientLogin.Start(fixture.Configuration, "correct horse battery stapler"u8, fixture.Rng);
        using var serverLogin = fixture.StartServerLogin(login.Message, registered.Record);
        Assert.Throws<OpaqueAuthenticationException>(() => login.Finish(serverLogin.Message.Serialize(), fixture.Identities));

        // The server, which never gets a KE3 it can accept, fails too.
        Assert.Throws<OpaqueAuthenticationException>(() => serverLogin.Finish(new byte[fixture.Configuration.Suite.HashLength]));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void TamperingWithAnyPartOfKe2Fails(string suite)
    {
        using var fixture = new Fixture(suite);
        using var registered = fixture.Register(Password);
        var s = fixture.Configuration.Suite;
        var n = s.PublicKeyLength;

        // One byte in each field: evaluated_message, masking_nonce, masked_response (key, nonce, tag),
        // server_nonce, server_public_keyshare, server_mac.
        int[] positions = [1, n + 3, n + 32 + 5, n + 32 + n + 3, n + 32 + n + 32 + 7, n + 32 + n + s.EnvelopeLength + 2,
            (2 * n) + 64 + s.EnvelopeLength + 9, (3 * n) + 64 + s.EnvelopeLength + s.HashLength - 1];
        foreach (var position in positions)
        {
            using var login = ClientLogin.Start(fixture.Configuration, Password, fixture.Rng);
            using var serverLogin = fixture.StartServerLogin(login.Message, registered.Record);
            var ke2 = serverLogin.Message.Serialize();
            Assert.Equal((3 * n) + 64 + s.EnvelopeLength + s.HashLength, ke2.Length);
            ke2[position] ^= 0x01;
            Assert.Throws<OpaqueAuthenticationException>(() => login.Finish(ke2, fixture.Identities));
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void TruncatedKe2Fails(string suite)
    {
        using var fixture = new Fixture(suite);
        using var registered = fixture.Register(Password);
        using var login = ClientLogin.Start(fixture.Configuration, Password, fixture.Rng);
        using var serverLogin = fixture.StartServerLogin(login.Message, registered.Record);
        Assert.Throws<OpaqueAuthenticationException>(() => login.Finish(serverLogin.Message.Serialize()[..^1], fixture.Identities));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void TamperedOrTruncatedKe3Fails(string suite)
    {
        using var fixture = new Fixture(suite);
        using var registered = fixture.Register(Password);
        foreach (var mutate in new Func<byte[], byte[]>[] { k => { k[0] ^= 0x80; return k; }, k => k[..^1], k => [.. k, 0] })
        {
            using var login = ClientLogin.Start(fixture.Configuration, Password, fixture.Rng);
            using var serverLogin = fixture.StartServerLogin(login.Message, registered.Record);
            using var client = login.Finish(serverLogin.Message.Serialize(), fixture.Identities);
            Assert.Throws<OpaqueAuthenticationException>(() => serverLogin.Finish(mutate(client.Message.Serialize())));
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void ReplayedKe3Fails(string suite)
    {
        using var fixture = new Fixture(suite);
        using var registered = fixture.Register(Password);
        using var login = ClientLogin.Start(fixture.Configuration, Password, fixture.Rng);
        using var serverLogin = fixture.StartServerLogin(login.Message, registered.Record);
        using var client = login.Finish(serverLogin.Message.Serialize(), fixture.Identities);
        var ke3 = client.Message.Serialize();
        using (serverLogin.Finish(ke3))
        {
        }

        // The same state cannot finish twice ...
        Assert.Throws<OpaqueAuthenticationException>(() => serverLogin.Finish(ke3));

        // ... and an old KE3 does not fit a new login, even one started with the very same KE1.
        using var replayed = fixture.StartServerLogin(login.Message, registered.Record);
        Assert.Throws<OpaqueAuthenticationException>(() => replayed.Finish(ke3));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void UnknownUserFailsLikeAWrongPassword(string suite)
    {
        using var fixture = new Fixture(suite);
        using var login = ClientLogin.Start(fixture.Configuration, Password, fixture.Rng);
        using var serverLogin = fixture.Server.StartLogin(login.Message, record: null, CredentialId, fixture.Identities, fixture.Rng);
        Assert.Equal(fixture.StartServerLoginLength(), serverLogin.Message.Serialize().Length);
        Assert.Throws<OpaqueAuthenticationException>(() => login.Finish(serverLogin.Message.Serialize(), fixture.Identities));
        Assert.Throws<OpaqueAuthenticationException>(() => serverLogin.Finish(new byte[fixture.Configuration.Suite.HashLength]));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void OtherIdentitiesOrContextFail(string suite)
    {
        using var fixture = new Fixture(suite);
        using var registered = fixture.Register(Password);

        // The client claims another identity than the one bound at registration.
        using (var login = ClientLogin.Start(fixture.Configuration, Password, fixture.Rng))
        using (var serverLogin = fixture.StartServerLogin(login.Message, registered.Record))
        {
            Assert.Throws<OpaqueAuthenticationException>(() => login.Finish(serverLogin.Message.Serialize(), new PartyIdentities("mallory"u8.ToArray(), "server"u8.ToArray())));
        }

        // The client runs under another context string.
        var otherContext = new OpaqueConfiguration(fixture.Configuration.Suite, fixture.Configuration.Ksf, "another-app"u8);
        using (var login = ClientLogin.Start(otherContext, Password, fixture.Rng))
        using (var serverLogin = fixture.StartServerLogin(login.Message, registered.Record))
        {
            Assert.Throws<OpaqueAuthenticationException>(() => login.Finish(serverLogin.Message.Serialize(), fixture.Identities));
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void ARecordIsBoundToTheServerThatAnsweredTheRegistration(string suite)
    {
        using var fixture = new Fixture(suite);
        using var registered = fixture.Register(Password);
        using var otherSetup = ServerSetup.Generate(fixture.Configuration.Suite, fixture.Rng);
        var impostor = new OpaqueServer(fixture.Configuration, otherSetup);
        using var login = ClientLogin.Start(fixture.Configuration, Password, fixture.Rng);

        // Same record, same OPRF seed, but another AKE key: the envelope does not open for it.
        using var serverLogin = impostor.StartLogin(login.Message, registered.Record, CredentialId, fixture.Identities, fixture.Rng, fixture.Setup.OprfSeed);
        Assert.Throws<OpaqueAuthenticationException>(() => login.Finish(serverLogin.Message.Serialize(), fixture.Identities));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void StatesAreConsumedByFinish(string suite)
    {
        using var fixture = new Fixture(suite);
        using var registration = ClientRegistration.Start(fixture.Configuration, Password, fixture.Rng);
        var response = fixture.Server.CreateRegistrationResponse(registration.Request, CredentialId);
        using (registration.Finish(response, fixture.Identities))
        {
        }

        Assert.Throws<InvalidOperationException>(() => registration.Finish(response, fixture.Identities));

        using var registered = fixture.Register(Password);
        using var login = ClientLogin.Start(fixture.Configuration, Password, fixture.Rng);
        using var serverLogin = fixture.StartServerLogin(login.Message, registered.Record);
        using (login.Finish(serverLogin.Message, fixture.Identities))
        {
        }

        Assert.Throws<InvalidOperationException>(() => login.Finish(serverLogin.Message, fixture.Identities));
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void AFailedClientLoginIsConsumedToo(string suite)
    {
        using var fixture = new Fixture(suite);
        using var registered = fixture.Register(Password);
        using var login = ClientLogin.Start(fixture.Configuration, "wrong"u8, fixture.Rng);
        using var serverLogin = fixture.StartServerLogin(login.Message, registered.Record);
        Assert.Throws<OpaqueAuthenticationException>(() => login.Finish(serverLogin.Message, fixture.Identities));
        Assert.Throws<InvalidOperationException>(() => login.Finish(serverLogin.Message, fixture.Identities));
    }

    private sealed class Fixture : IDisposable
    {
        public Fixture(string suite, string ksf = "identity")
        {
            Rng = new SeededRandom($"flow {suite} {ksf}");
            Configuration = TestSetups.Configuration(suite, ksf);
            Setup = ServerSetup.Generate(Configuration.Suite, Rng);
            Server = new OpaqueServer(Configuration, Setup);
        }

        public SeededRandom Rng { get; }

        public OpaqueConfiguration Configuration { get; }

        public ServerSetup Setup { get; }

        public OpaqueServer Server { get; }

        public PartyIdentities Identities { get; } = new("alice"u8.ToArray(), "server"u8.ToArray());

        public ClientRegistrationResult Register(byte[] password)
        {
            using var registration = ClientRegistration.Start(Configuration, password, Rng);
            var request = RegistrationRequest.Deserialize(Configuration.Suite, registration.Request.Serialize());
            var response = Server.CreateRegistrationResponse(request, CredentialId);
            var result = registration.Finish(RegistrationResponse.Deserialize(Configuration.Suite, response.Serialize()), Identities);
            return result;
        }

        public ServerLogin StartServerLogin(KE1 ke1, RegistrationRecord record) =>
            Server.StartLogin(KE1.Deserialize(Configuration.Suite, ke1.Serialize()), record, CredentialId, Identities, Rng);

        public int StartServerLoginLength()
        {
            var s = Configuration.Suite;
            return (3 * s.PublicKeyLength) + (2 * s.NonceLength) + s.EnvelopeLength + s.HashLength;
        }

        public (string Session, string Export) LoginKeys(byte[] password, RegistrationRecord record)
        {
            using var login = ClientLogin.Start(Configuration, password, Rng);
            using var serverLogin = StartServerLogin(login.Message, record);
            using var client = login.Finish(serverLogin.Message.Serialize(), Identities);
            using var serverKey = serverLogin.Finish(client.Message);
            return (Convert.ToHexString(client.SessionKey.Span), Convert.ToHexString(client.ExportKey.Span));
        }

        public void Dispose() => Setup.Dispose();
    }
}
