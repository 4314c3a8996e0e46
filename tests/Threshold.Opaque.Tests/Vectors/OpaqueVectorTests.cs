using System.Text.Json;
using Threshold.Opaque.Ksf;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Oprf;
using Threshold.Opaque.Tests.Support;

namespace Threshold.Opaque.Tests.Vectors;

/// <summary>
/// RFC 9807 Appendix C: the real vectors (registration, KE1–KE3, session and export keys, intermediates)
/// and the fake vectors (KE2 for an unknown user) for ristretto255-SHA512 and P256-SHA256.
/// </summary>
public sealed class OpaqueVectorTests
{
    public static TheoryData<int> RealVectors => [.. Indices(fake: false)];

    public static TheoryData<int> FakeVectors => [.. Indices(fake: true)];

    [Fact]
    public void TheFileHoldsFourRealAndTwoFakeVectors()
    {
        Assert.Equal(4, Indices(fake: false).Count());
        Assert.Equal(2, Indices(fake: true).Count());
    }

    [Theory]
    [MemberData(nameof(RealVectors))]
    public void RealVectorMatches(int index)
    {
        var vector = Load(index);
        var inputs = vector.GetProperty("inputs");
        var intermediates = vector.GetProperty("intermediates");
        var outputs = vector.GetProperty("outputs");
        var configuration = Configuration(vector);
        var suite = configuration.Suite;
        var identities = Identities(inputs);
        var password = inputs.Hex("password");
        var credentialIdentifier = inputs.Hex("credential_identifier");
        using var setup = Setup(suite, inputs);
        var server = new OpaqueServer(configuration, setup);

        // Registration (§5).
        using var registration = ClientRegistration.Start(configuration, password, suite.Group.DeserializeScalar(inputs.Hex("blind_registration"), "blind"));
        Assert.Equal(outputs.Text("registration_request"), Hex(registration.Request.Serialize()));
        var response = server.CreateRegistrationResponse(RegistrationRequest.Deserialize(suite, registration.Request.Serialize()), credentialIdentifier);
        Assert.Equal(outputs.Text("registration_response"), Hex(response.Serialize()));
        using var registered = registration.Finish(RegistrationResponse.Deserialize(suite, response.Serialize()), identities, inputs.Hex("envelope_nonce"));
        Assert.Equal(outputs.Text("registration_upload"), Hex(registered.Record.Serialize()));
        Assert.Equal(outputs.Text("export_key"), Hex(registered.ExportKey.Span));
        Assert.Equal(intermediates.Text("client_public_key"), Hex(registered.Record.ClientPublicKey.Serialize()));
        Assert.Equal(intermediates.Text("masking_key"), Hex(registered.Record.MaskingKey));
        Assert.Equal(intermediates.Text("envelope"), Hex(registered.Record.Envelope.Serialize()));
        using (var oprfKey = suite.DeriveOprfKey(setup.OprfSeed.Span, credentialIdentifier))
        using (var oprfKeyBytes = oprfKey.SecretKey.Serialize())
        {
            Assert.Equal(intermediates.Text("oprf_key"), Hex(oprfKeyBytes.Span));
        }

        // Login (§6).
        var record = RegistrationRecord.Deserialize(suite, registered.Record.Serialize());
        using var login = ClientLogin.Start(
            configuration, password, suite.Group.DeserializeScalar(inputs.Hex("blind_login"), "blind"), inputs.Hex("client_nonce"), inputs.Hex("client_keyshare_seed"));
        Assert.Equal(outputs.Text("KE1"), Hex(login.Message.Serialize()));
        using var serverLogin = server.StartLogin(
            KE1.Deserialize(suite, login.Message.Serialize()), record, isFake: false, credentialIdentifier, identities, setup.OprfSeed,
            inputs.Hex("masking_nonce"), inputs.Hex("server_nonce"), inputs.Hex("server_keyshare_seed"));
        Assert.Equal(outputs.Text("KE2"), Hex(serverLogin.Message.Serialize()));
        using var clientResult = login.Finish(serverLogin.Message.Serialize(), identities);
        Assert.Equal(outputs.Text("KE3"), Hex(clientResult.Message.Serialize()));
        Assert.Equal(outputs.Text("session_key"), Hex(clientResult.SessionKey.Span));
        Assert.Equal(outputs.Text("export_key"), Hex(clientResult.ExportKey.Span));
        using var serverKey = serverLogin.Finish(clientResult.Message.Serialize());
        Assert.Equal(outputs.Text("session_key"), Hex(serverKey.Span));
    }

    [Theory]
    [MemberData(nameof(FakeVectors))]
    public void FakeVectorMatches(int index)
    {
        var vector = Load(index);
        var inputs = vector.GetProperty("inputs");
        var configuration = Configuration(vector);
        var suite = configuration.Suite;
        using var setup = Setup(suite, inputs);
        var server = new OpaqueServer(configuration, setup);
        var fakeRecord = new RegistrationRecord(
            suite.Group.DeserializeElement(inputs.Hex("client_public_key"), "client_public_key"), inputs.Hex("masking_key"), Envelope.Zero(suite));

        using var serverLogin = server.StartLogin(
            KE1.Deserialize(suite, inputs.Hex("KE1")), fakeRecord, isFake: true, inputs.Hex("credential_identifier"), Identities(inputs), setup.OprfSeed,
            inputs.Hex("masking_nonce"), inputs.Hex("server_nonce"), inputs.Hex("server_keyshare_seed"));
        Assert.Equal(vector.GetProperty("outputs").Text("KE2"), Hex(serverLogin.Message.Serialize()));
        Assert.Throws<OpaqueAuthenticationException>(() => serverLogin.Finish(new byte[suite.HashLength]));
    }

    private static IEnumerable<int> Indices(bool fake) =>
        VectorFiles.Load("opaque-rfc9807.json").EnumerateArray()
            .Select((v, i) => (v, i))
            .Where(x => x.v.GetProperty("config").Text("Fake") == (fake ? "True" : "False"))
            .Select(x => x.i);

    private static JsonElement Load(int index) => VectorFiles.Load("opaque-rfc9807.json")[index];

    private static OpaqueConfiguration Configuration(JsonElement vector)
    {
        var config = vector.GetProperty("config");
        Assert.Equal("Identity", config.Text("KSF"));
        var suite = config.Text("Group") == "ristretto255" ? OpaqueSuite.Ristretto255Sha512 : OpaqueSuite.P256Sha256;
        Assert.Equal(config.Text("OPRF"), suite.Oprf.Identifier);
        Assert.Equal(int.Parse(config.Text("Nh"), System.Globalization.CultureInfo.InvariantCulture), suite.HashLength);
        Assert.Equal(int.Parse(config.Text("Npk"), System.Globalization.CultureInfo.InvariantCulture), suite.PublicKeyLength);
        return new OpaqueConfiguration(suite, IdentityKsf.Instance, config.Hex("Context"));
    }

    private static ServerSetup Setup(OpaqueSuite suite, JsonElement inputs)
    {
        var group = suite.Group;
        var keyPair = new OprfKeyPair(
            group.DeserializeScalar(inputs.Hex("server_private_key"), "server_private_key"),
            group.DeserializeElement(inputs.Hex("server_public_key"), "server_public_key"));
        Assert.Equal(keyPair.PublicKey, group.MultiplyGenerator(keyPair.SecretKey));
        return new ServerSetup(suite, keyPair, new SecretBytes(inputs.Hex("oprf_seed")), keyPair.PublicKey);
    }

    private static PartyIdentities Identities(JsonElement inputs) => new(
        inputs.TryGetProperty("client_identity", out var client) ? Convert.FromHexString(client.GetString()!) : null,
        inputs.TryGetProperty("server_identity", out var server) ? Convert.FromHexString(server.GetString()!) : null);

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
