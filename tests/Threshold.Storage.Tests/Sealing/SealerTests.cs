using System.Text;
using Threshold.Storage.Sealing;

namespace Threshold.Storage.Tests.Sealing;

public sealed class SealerTests
{
    private static readonly RecordBinding Place = new(SealedKind.Record, "shares", "key-1", "alice", 7);

    [Fact]
    public void SealedValuesOpenOnlyUnderTheirOwnBinding()
    {
        using var key = StorageKey.Generate();
        using var sealer = new AesGcmRecordSealer(key);
        var plaintext = Encoding.UTF8.GetBytes("a key share");
        var sealedValue = sealer.Seal(Place, plaintext);

        Assert.True(sealer.TryOpen(Place, sealedValue, out var opened));
        Assert.Equal(plaintext, opened);
        Assert.Equal(plaintext.Length + 2 + 8 + 12 + 16, sealedValue.Length);
        Assert.NotEqual(sealedValue, sealer.Seal(Place, plaintext)); // fresh nonce every time

        RecordBinding[] elsewhere =
        [
            Place with { Kind = SealedKind.QueueItem },
            Place with { Table = "seeds" },
            Place with { Id = "key-2" },
            Place with { Owner = "mallory" },
            Place with { Version = 6 },
            Place with { Version = 8 },
            new(SealedKind.Record, "share", "skey-1", "alice", 7), // same characters, split differently
        ];
        foreach (var binding in elsewhere)
        {
            Assert.False(sealer.TryOpen(binding, sealedValue, out var nothing), binding.ToString());
            Assert.Empty(nothing);
        }
    }

    [Fact]
    public void AnyChangedByteOrAnotherKeyFailsToOpen()
    {
        using var key = StorageKey.Generate();
        using var sealer = new AesGcmRecordSealer(key);
        var sealedValue = sealer.Seal(Place, new byte[40]);
        for (var i = 0; i < sealedValue.Length; i++)
        {
            var changed = (byte[])sealedValue.Clone();
            changed[i] ^= 0x01;
            Assert.False(sealer.TryOpen(Place, changed, out _), $"byte {i}");
        }

        Assert.False(sealer.TryOpen(Place, sealedValue[..^1], out _));
        Assert.False(sealer.TryOpen(Place, [], out _));
        Assert.False(sealer.TryOpen(Place, new byte[5], out _));

        using var otherKey = StorageKey.Generate();
        using var other = new AesGcmRecordSealer(otherKey);
        Assert.NotEqual(sealer.KeyId, other.KeyId);
        Assert.False(other.TryOpen(Place, sealedValue, out _));
    }

    [Fact]
    public void OpenNamesThePlaceAndNothingElse()
    {
        using var key = StorageKey.Generate();
        IRecordSealer sealer = new AesGcmRecordSealer(key);
        var sealedValue = sealer.Seal(Place, Encoding.UTF8.GetBytes("SECRET"));
        var error = Assert.Throws<StorageIntegrityException>(() => sealer.Open(Place with { Version = 8 }, sealedValue));
        Assert.Equal((IntegrityFailure.SealBroken, "shares", "key-1"), (error.Failure, error.Table, error.Id));
        Assert.DoesNotContain("SECRET", error.Message, StringComparison.Ordinal);

        var queue = new RecordBinding(SealedKind.QueueItem, "presig", "key-1/1,2", "", 42);
        var queueError = Assert.Throws<StorageIntegrityException>(() => sealer.Open(queue, sealedValue));
        Assert.Equal(("presig", "key-1/1,2#42"), (queueError.Table, queueError.Id));
        ((IDisposable)sealer).Dispose();
    }

    [Fact]
    public void TheSameKeyDerivesTheSameSealerAndTags()
    {
        var bytes = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        using var first = StorageKey.FromBytes(bytes);
        using var second = StorageKey.FromBytes(bytes);
        using var a = new AesGcmRecordSealer(first);
        using var b = new AesGcmRecordSealer(second);
        Assert.Equal(a.KeyId, b.KeyId);
        Assert.Equal(16, a.KeyId.Length);
        Assert.True(b.TryOpen(Place, a.Seal(Place, [1, 2, 3]), out var opened));
        Assert.Equal([1, 2, 3], opened);

        Span<byte> tagA = stackalloc byte[32];
        Span<byte> tagB = stackalloc byte[32];
        a.ComputeTag("message"u8, tagA);
        b.ComputeTag("message"u8, tagB);
        Assert.True(tagA.SequenceEqual(tagB));
        b.ComputeTag("messagf"u8, tagB);
        Assert.False(tagA.SequenceEqual(tagB));
        Assert.DoesNotContain(Convert.ToHexString(bytes), a.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void KeysAreRedactedAndUnusableAfterDisposal()
    {
        var key = StorageKey.Generate();
        Assert.Equal("[storage key]", key.ToString());
        var sealer = new AesGcmRecordSealer(key);
        key.Dispose();
        Assert.Throws<ObjectDisposedException>(() => new AesGcmRecordSealer(key));
        sealer.Seal(Place, [1]); // the sealer holds its own derived keys
        sealer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sealer.Seal(Place, [1]));
        Assert.Throws<ArgumentException>(() => StorageKey.FromBytes(new byte[31]));
    }
}
