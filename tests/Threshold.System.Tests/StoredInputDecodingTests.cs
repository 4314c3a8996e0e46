using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Node.Identity;
using Threshold.Opaque;
using Threshold.Opaque.Server;
using Threshold.Server.Hosting;

namespace Threshold.System.Tests;

/// <summary>
/// Regressions found by fuzzing (fuzz/corpus/node-secrets, node-config, aggregator-config): inputs that
/// escaped as untyped exceptions now get the decoder's documented error.
/// </summary>
public sealed class StoredInputDecodingTests
{
    [Fact]
    public void NodeSecretsWithAKeyThatDoesNotImportIsADecodingError()
    {
        using var setup = ServerSetup.Generate(OpaqueSuite.Ristretto255Sha512, RandomNumberGenerator.Create());
        var record = new Threshold.Node.Wire.StoredIdentity
        {
            NodeId = "node-1",
            Party = 1,
            SigningPkcs8 = ByteString.CopyFrom(0x30), // was CryptographicException (ASN1 corrupted data)
            AgreementPkcs8 = ByteString.CopyFrom(0x30),
            OpaqueSuite = OpaqueSuite.Ristretto255Sha512.Name,
            OpaqueSetup = ByteString.CopyFrom(setup.Export()),
        }.ToByteArray();
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => NodeSecrets.Decode(record)).Reason);
    }

    [Fact]
    public void NodeSecretsOutsideThePartyRangeIsADecodingError() =>
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => NodeSecrets.Decode([])).Reason);

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"nodeId":"node-1","dataDirectory":"data","listen":"127.0.0.1:7101"}""")]
    public void ANodeConfigurationWithoutAPathIsInvalidData(string json) =>
        // Was ArgumentNullException from Path.GetFullPath on the missing clusterFile.
        Assert.Throws<InvalidDataException>(() => NodeConfig.Parse(json, "/etc/threshold", "node.json"));

    [Fact]
    public void AnAggregatorConfigurationWithoutAPathIsInvalidData() =>
        Assert.Throws<InvalidDataException>(() => AggregatorConfig.Parse("""{"listen":"127.0.0.1:7100"}""", "/etc/threshold", "aggregator.json"));
}
