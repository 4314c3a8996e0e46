using System.Security.Cryptography;
using Threshold.Cggmp.Shares;
using Threshold.Cggmp.Signing;
using Threshold.Curves;

namespace Threshold.Cggmp.Tests;

public sealed class StateCodecTests
{
    [Fact]
    public void StoredStateRoundTripsAndStillSigns()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        var shares = cluster.Shares.Select(s => StateCodec.DecodeKeyShare(StateCodec.Encode(s))).ToList();
        Assert.All(shares, s => Assert.Equal(cluster.PublicKey, s.PublicKey));
        var aux = cluster.Aux.Select(a => StateCodec.DecodeAuxInfo(StateCodec.Encode(a))).ToList();
        Assert.Equal(cluster.Aux[1].PaillierKey.N, aux[1].PaillierKey.N);
        Assert.Equal(cluster.Aux[1].RingPedersen.Parameters, aux[1].RingPedersen.Parameters);

        var report = cluster.Presign([1, 2], "stored presignatures");
        var stored = report.Parties.Select(p => StateCodec.Encode(p.Result)).ToList();
        var restored = stored.Select(b => StateCodec.DecodePresignature(b)).ToList();
        var digest = SHA256.HashData("from storage"u8);
        var signature = SignatureCombiner.Combine(restored[0].Commitments, digest, [.. restored.Select(p => p.Sign(digest))]);
        Assert.True(SigningTests.IndependentVerify(cluster.PublicKey, digest, signature));
        Assert.Throws<InvalidOperationException>(() => StateCodec.Encode(restored[0]));
    }

    [Fact]
    public void CorruptStoredStateIsRefused()
    {
        var cluster = Cluster.Get(Curve.P256, 2, 2);
        var m = Wire.StoredKeyShare.Parser.ParseFrom(StateCodec.Encode(cluster.Shares[0]));
        m.Index = 2; // claims another party's public share
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => StateCodec.DecodeKeyShare(Google.Protobuf.MessageExtensions.ToByteArray(m))).Reason);
        Assert.Throws<DecodingException>(() => StateCodec.DecodeAuxInfo([1, 2, 3]));

        var aux = Wire.StoredAuxInfo.Parser.ParseFrom(StateCodec.Encode(cluster.Aux[0]));
        aux.Lambda = Threshold.Proofs.Encoding.WireCodec.Unsigned(12345);
        Assert.Throws<DecodingException>(() => StateCodec.DecodeAuxInfo(Google.Protobuf.MessageExtensions.ToByteArray(aux)));
    }

    // Regressions found by fuzzing (fuzz/corpus/stored-*): each escaped as an untyped exception.
    [Fact]
    public void StoredKeyShareWithAThresholdAboveItsPartiesIsADecodingError()
    {
        var cluster = Cluster.Get(Curve.Secp256k1, 2, 3);
        var m = Wire.StoredKeyShare.Parser.ParseFrom(StateCodec.Encode(cluster.Shares[0]));
        m.Threshold = 4; // was ArgumentException from the KeyShare constructor
        Assert.Equal(DecodingError.OutOfRange, Assert.Throws<DecodingException>(() => StateCodec.DecodeKeyShare(Google.Protobuf.MessageExtensions.ToByteArray(m))).Reason);
        m.Threshold = 2;
        m.Index = uint.MaxValue; // was OverflowException from the checked cast
        Assert.Throws<DecodingException>(() => StateCodec.DecodeKeyShare(Google.Protobuf.MessageExtensions.ToByteArray(m)));
    }

    [Fact]
    public void StoredAuxInfoWithoutALevelIsADecodingError()
    {
        // The empty record has level "": was ArgumentException from SecurityLevel.FromName.
        Assert.Equal(DecodingError.Malformed, Assert.Throws<DecodingException>(() => StateCodec.DecodeAuxInfo([])).Reason);
    }
}
