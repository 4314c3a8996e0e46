using Google.Protobuf;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator.Tests;

/// <summary>The aggregator's presignature pool under concurrent signings.</summary>
public sealed class PresignaturePoolTests
{
    [Fact]
    public void ConcurrentTakesUseEachPresignatureOnceAndSeeEveryMatchingOne()
    {
        var pool = new PresignaturePool();
        for (var n = 0; n < 200; n++)
        {
            // Alternate signer sets, so a take for {1, 2} must skip over the {2, 3} entries.
            uint[] signers = n % 2 == 0 ? [1, 2] : [2, 3];
            pool.Add("key", new PresignatureInfo { PresignatureId = ByteString.CopyFrom(BitConverter.GetBytes(n)), Signers = { signers } });
        }

        var taken = new global::System.Collections.Concurrent.ConcurrentBag<int>();
        Parallel.For(0, 8, worker =>
        {
            int[] available = worker % 2 == 0 ? [1, 2] : [2, 3];
            while (pool.Take("key", available) is { } presignature)
            {
                taken.Add(BitConverter.ToInt32(presignature.PresignatureId.Span));
            }
        });

        Assert.Equal(Enumerable.Range(0, 200), taken.Order());
        Assert.Equal(0, pool.Count("key"));
    }

    [Fact]
    public void TheOldestMatchingPresignatureIsTakenFirst()
    {
        var pool = new PresignaturePool();
        pool.Add("key", new PresignatureInfo { PresignatureId = ByteString.CopyFromUtf8("a"), Signers = { 2, 3 } });
        pool.Add("key", new PresignatureInfo { PresignatureId = ByteString.CopyFromUtf8("b"), Signers = { 1, 2 } });
        pool.Add("key", new PresignatureInfo { PresignatureId = ByteString.CopyFromUtf8("c"), Signers = { 1, 2 } });
        Assert.Equal("b", pool.Take("key", [1, 2])!.PresignatureId.ToStringUtf8());
        Assert.Equal(2, pool.Count("key"));
        Assert.Equal(1, pool.Count("key", [1, 2]));
        Assert.Null(pool.Take("other", [1, 2]));
    }
}
