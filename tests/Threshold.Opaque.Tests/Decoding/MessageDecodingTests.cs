using Threshold.Opaque.Cluster;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Oprf;

namespace Threshold.Opaque.Tests.Decoding;

/// <summary>Every RFC 9807 message refuses a wrong length and names the field of an invalid element.</summary>
public sealed class MessageDecodingTests
{
    public static TheoryData<string> Suites => ["ristretto255", "p256"];

    [Theory]
    [MemberData(nameof(Suites))]
    public void WrongLengthsAreMalformed(string name)
    {
        var suite = OpaqueSuite.FromName(name);
        var n = suite.PublicKeyLength;
        var h = suite.HashLength;
        var cases = new (string Field, int Length, Action<byte[]> Decode)[]
        {
            ("RegistrationRequest", n, b => RegistrationRequest.Deserialize(suite, b)),
            ("RegistrationResponse", 2 * n, b => RegistrationResponse.Deserialize(suite, b)),
            ("RegistrationRecord", n + h + 32 + h, b => RegistrationRecord.Deserialize(suite, b)),
            ("KE1", n + 32 + n, b => KE1.Deserialize(suite, b)),
            ("KE2", n + 32 + n + 32 + h + 32 + n + h, b => KE2.Deserialize(suite, b)),
            ("KE3", h, b => KE3.Deserialize(suite, b)),
        };
        foreach (var (field, length, decode) in cases)
        {
            foreach (var wrong in new[] { 0, length - 1, length + 1 })
            {
                var error = Assert.Throws<DecodingException>(() => decode(new byte[wrong]));
                Assert.Equal(DecodingError.Malformed, error.Reason);
                Assert.Equal(field, error.Field);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void InvalidElementsNameTheirField(string name)
    {
        var suite = OpaqueSuite.FromName(name);
        var rng = new Threshold.Randomness.SeededRandom("fields " + name);
        var config = new OpaqueConfiguration(suite, Threshold.Opaque.Ksf.IdentityKsf.Instance, "x"u8);
        using var login = ClientLogin.Start(config, "pw"u8, rng);
        var ke1 = login.Message.Serialize();
        var n = suite.PublicKeyLength;

        var zeroBlinded = ke1.ToArray();
        Array.Clear(zeroBlinded, 0, n);
        Assert.Equal("KE1.credential_request.blinded_message", Assert.Throws<DecodingException>(() => KE1.Deserialize(suite, zeroBlinded)).Field);

        var zeroKeyshare = ke1.ToArray();
        Array.Clear(zeroKeyshare, n + 32, n);
        var error = Assert.Throws<DecodingException>(() => KE1.Deserialize(suite, zeroKeyshare));
        Assert.Equal("KE1.auth_request.client_public_keyshare", error.Field);
        Assert.Equal(name == "p256" ? DecodingError.Malformed : DecodingError.Identity, error.Reason);

        using var setup = ServerSetup.Generate(suite, rng);
        var server = new OpaqueServer(config, setup);
        using var serverLogin = server.StartLogin(login.Message, null, "id"u8, PartyIdentities.None, rng);
        var ke2 = serverLogin.Message.Serialize();
        var badKeyshare = ke2.ToArray();
        Array.Clear(badKeyshare, ke2.Length - suite.HashLength - n, n);
        Assert.Equal("KE2.auth_response.server_public_keyshare", Assert.Throws<DecodingException>(() => KE2.Deserialize(suite, badKeyshare)).Field);
        Assert.Equal(ke2, KE2.Deserialize(suite, ke2).Serialize());
    }

    [Fact]
    public void DleqProofsMustHoldCanonicalScalars()
    {
        var group = Groups.Ristretto255Group.Instance;
        Assert.Equal("proof", Assert.Throws<DecodingException>(() => DleqProof.Deserialize(group, new byte[63])).Field);
        var bad = new byte[64];
        Array.Fill(bad, (byte)0xff, 32, 32);
        Assert.Equal("proof.s", Assert.Throws<DecodingException>(() => DleqProof.Deserialize(group, bad)).Field);
    }

    [Fact]
    public void UserIdsRoundTripAndRefuseOtherForms()
    {
        var rng = new Threshold.Randomness.SeededRandom("user ids");
        var id = UserId.New(rng);
        Assert.Equal(32, id.ToString().Length);
        Assert.Equal(id, UserId.Parse(id.ToString()));
        Assert.Equal(id.ToString(), System.Text.Encoding.ASCII.GetString(id.ToBytes()));
        Assert.NotEqual(id, UserId.New(rng));
        var error = Assert.Throws<DecodingException>(() => UserId.Parse(id.ToString().ToUpperInvariant()));
        Assert.Equal("user_id", error.Field);
        Assert.Throws<DecodingException>(() => UserId.Parse(null));
    }
}
