using Threshold.Opaque.Client;
using Threshold.Opaque.Cluster;
using Threshold.Randomness;
using Threshold.Secrets;

namespace Threshold.Opaque.Tests.MultiServer;

/// <summary>The Shamir sharing and sealing behind the client's single export key.</summary>
public sealed class ExportKeySharingTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 5)]
    [InlineData(5, 5)]
    public void AnyTSharesRebuildTheSecretAndFewerDoNot(int threshold, int count)
    {
        var rng = new SeededRandom($"shamir {threshold} {count}");
        using var secret = ExportKeySharing.NewSecret(rng);
        var shares = ExportKeySharing.Split(secret, threshold, count, rng);
        for (var trial = 0; trial < 10; trial++)
        {
            var chosen = Enumerable.Range(1, count).OrderBy(_ => rng.GetHashCode() ^ NextInt(rng)).Take(threshold)
                .Select(i => new OpenedShare(i, new byte[16], shares[i - 1])).ToList();
            using var rebuilt = ExportKeySharing.Combine(chosen);
            Assert.Equal(secret.Value, rebuilt.Value);
            if (threshold > 1)
            {
                using var partial = ExportKeySharing.Combine(chosen.Take(threshold - 1).ToList());
                Assert.NotEqual(secret.Value, partial.Value);
            }
        }
    }

    [Fact]
    public void ASealedShareOpensOnlyUnderItsKeyAndContext()
    {
        var rng = new SeededRandom("seal");
        var suite = OpaqueSuite.Ristretto255Sha512;
        var user = UserId.New(rng);
        using var exportKey = SecretBytes.Random(suite.HashLength, rng);
        using var otherKey = SecretBytes.Random(suite.HashLength, rng);
        using var share = SecretScalar.Random(Threshold.Curves.Curve.P256, rng);
        var registrationId = new byte[16];
        rng.GetBytes(registrationId);
        var context = new ShareContext(suite, user, "node-2", 2, 3, 5);
        var sealedShare = ExportKeySharing.Seal(context, exportKey, registrationId, share, rng);
        Assert.Equal(ExportKeySharing.SealedLength, sealedShare.Length);

        var opened = ExportKeySharing.TryOpen(context, exportKey, sealedShare);
        Assert.NotNull(opened);
        Assert.Equal(share.Value, opened.Value.Value);
        Assert.Equal(registrationId, opened.RegistrationId);

        Assert.Null(ExportKeySharing.TryOpen(context, otherKey, sealedShare));
        Assert.Null(ExportKeySharing.TryOpen(context with { NodeId = "node-3" }, exportKey, sealedShare));
        Assert.Null(ExportKeySharing.TryOpen(context with { Index = 3 }, exportKey, sealedShare));
        Assert.Null(ExportKeySharing.TryOpen(context with { Threshold = 2 }, exportKey, sealedShare));
        Assert.Null(ExportKeySharing.TryOpen(context with { UserId = UserId.New(rng) }, exportKey, sealedShare));
        Assert.Null(ExportKeySharing.TryOpen(context with { Suite = OpaqueSuite.P256Sha256 }, exportKey, sealedShare));
        Assert.Null(ExportKeySharing.TryOpen(context, exportKey, sealedShare[..^1]));
    }

    [Fact]
    public void TheClientExportKeyDependsOnUserAndSuite()
    {
        var rng = new SeededRandom("derive");
        using var secret = ExportKeySharing.NewSecret(rng);
        var alice = UserId.New(rng);
        var bob = UserId.New(rng);
        using var a = ExportKeySharing.DeriveClientExportKey(OpaqueSuite.P256Sha256, alice, secret);
        using var b = ExportKeySharing.DeriveClientExportKey(OpaqueSuite.P256Sha256, bob, secret);
        using var c = ExportKeySharing.DeriveClientExportKey(OpaqueSuite.Ristretto255Sha512, alice, secret);
        Assert.Equal(32, a.Length);
        Assert.Equal(64, c.Length);
        Assert.False(a.FixedTimeEquals(b.Span));
        Assert.False(a.FixedTimeEquals(c.Span[..32]));
    }

    private static int NextInt(SeededRandom rng)
    {
        Span<byte> four = stackalloc byte[4];
        rng.GetBytes(four);
        return BitConverter.ToInt32(four);
    }
}
