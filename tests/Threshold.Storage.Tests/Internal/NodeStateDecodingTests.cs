using Threshold.Storage.Internal;

namespace Threshold.Storage.Tests.Internal;

/// <summary>The sealed state row's decoder refuses every malformed encoding with a FormatException.</summary>
public sealed class NodeStateDecodingTests
{
    [Fact]
    public void GenesisRoundTrips()
    {
        var decoded = NodeState.Decode(NodeState.Genesis.Encode());
        Assert.Equal(NodeState.Genesis.Version, decoded.Version);
        Assert.Equal(NodeState.GenesisHash, decoded.AuditHead);
    }

    [Fact]
    public void ATagThatIsNotUtf8IsAFormatError()
    {
        // Found by fuzzing (fuzz/corpus/stored-node-state/crash-invalid-utf8): a one-byte tag 0xA7 was a
        // DecoderFallbackException (an ArgumentException), which the store's TryDecode did not catch.
        Assert.Throws<FormatException>(() => NodeState.Decode([0, 0, 0, 1, 0xA7]));
    }
}
