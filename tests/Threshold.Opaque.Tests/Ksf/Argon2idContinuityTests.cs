using System.Text.Json;
using Threshold.Opaque.Ksf;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Tests.Support;
using Threshold.Randomness;

namespace Threshold.Opaque.Tests.Ksf;

/// <summary>
/// Argon2id gives today what it gave before the move from Debian's libsodium 1.0.18 (through P/Invoke)
/// to NSec: the outputs and registrations in Vectors/argon2id-continuity.json were computed by the old
/// binding, so records registered before the move still log in with the same export key.
/// </summary>
public sealed class Argon2idContinuityTests
{
    private static readonly JsonElement File = VectorFiles.Load("argon2id-continuity.json");

    public static TheoryData<int> StretchCases => [.. Enumerable.Range(0, File.GetProperty("stretch").GetArrayLength())];

    public static TheoryData<int> Registrations => [.. Enumerable.Range(0, File.GetProperty("registrations").GetArrayLength())];

    [Fact]
    public void TheFileCoversSeveralProfilesAndLengths()
    {
        var cases = File.GetProperty("stretch").EnumerateArray().ToList();
        Assert.Equal(24, cases.Count);
        Assert.Equal(4, cases.Select(c => (c.GetProperty("iterations").GetInt32(), c.GetProperty("memory_kib").GetInt32())).Distinct().Count());
        Assert.Equal([16, 32, 64, 100], cases.Select(c => c.GetProperty("length").GetInt32()).Distinct().Order());
    }

    [Theory]
    [MemberData(nameof(StretchCases))]
    public void StretchGivesTheRecordedOutput(int index)
    {
        var vector = File.GetProperty("stretch")[index];
        var ksf = new Argon2idKsf(Profile(vector));
        using var output = ksf.Stretch(vector.Hex("input"), vector.GetProperty("length").GetInt32());
        Assert.Equal(vector.Text("output"), Convert.ToHexStringLower(output.Span));
    }

    [Theory]
    [MemberData(nameof(Registrations))]
    public void ARecordRegisteredBeforeTheMoveStillLogsIn(int index)
    {
        var vector = File.GetProperty("registrations")[index];
        var configuration = Configuration(vector);
        var identities = Identities(vector);
        var credentialId = vector.Hex("credential_identifier");
        var password = vector.Hex("password");
        using var setup = ServerSetup.Import(configuration.Suite, vector.Hex("server_setup"));
        var server = new OpaqueServer(configuration, setup);
        var record = RegistrationRecord.Deserialize(configuration.Suite, vector.Hex("record"));
        var rng = new SeededRandom("argon2id continuity login");

        using var login = ClientLogin.Start(configuration, password, rng);
        using var serverLogin = server.StartLogin(login.Message, record, credentialId, identities, rng);
        using var client = login.Finish(serverLogin.Message.Serialize(), identities);
        using var serverKey = serverLogin.Finish(client.Message.Serialize());

        Assert.True(client.SessionKey.FixedTimeEquals(serverKey.Span));
        Assert.Equal(vector.Text("export_key"), Convert.ToHexStringLower(client.ExportKey.Span));
    }

    [Theory]
    [MemberData(nameof(Registrations))]
    public void TheSameRegistrationGivesTheSameRecord(int index)
    {
        // The registration is seeded, so redoing it with today's Argon2id must give the stored bytes.
        var vector = File.GetProperty("registrations")[index];
        var configuration = Configuration(vector);
        var rng = new SeededRandom(vector.Text("seed"));
        using var setup = ServerSetup.Generate(configuration.Suite, rng);
        Assert.Equal(vector.Text("server_setup"), Convert.ToHexStringLower(setup.Export()));
        var server = new OpaqueServer(configuration, setup);
        using var registration = ClientRegistration.Start(configuration, vector.Hex("password"), rng);
        var response = server.CreateRegistrationResponse(registration.Request, vector.Hex("credential_identifier"));
        using var result = registration.Finish(response, Identities(vector));
        Assert.Equal(vector.Text("record"), Convert.ToHexStringLower(result.Record.Serialize()));
        Assert.Equal(vector.Text("export_key"), Convert.ToHexStringLower(result.ExportKey.Span));
    }

    private static OpaqueConfiguration Configuration(JsonElement vector) =>
        new(OpaqueSuite.FromName(vector.Text("suite")), new Argon2idKsf(Profile(vector)), vector.Hex("context"));

    private static PartyIdentities Identities(JsonElement vector) =>
        new(vector.Hex("client_identity"), vector.Hex("server_identity"));

    private static Argon2idProfile Profile(JsonElement vector) =>
        new("recorded", vector.GetProperty("iterations").GetInt32(), vector.GetProperty("memory_kib").GetInt32());
}
