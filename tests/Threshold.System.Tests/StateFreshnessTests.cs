using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Node;
using Threshold.Node.Freshness;
using Threshold.Storage.Consensus;

namespace Threshold.System.Tests;

/// <summary>
/// The node publishes its state version before an irreversible output and refuses the output when it
/// cannot; the background publisher retries with backoff, logs once per change and recovers.
/// </summary>
public sealed class StateFreshnessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReturnsOnlyOnceTheVersionIsInTheConsensusStore()
    {
        var ct = TestContext.Current.CancellationToken;
        var consensus = new InMemoryConsensusStore();
        var version = 7L;
        var freshness = new StateFreshness("node-1", _ => Task.FromResult(version), consensus);

        await freshness.PublishBeforeIrreversibleOutputAsync(ct);
        Assert.Equal(7, await consensus.StateVersionAsync("node-1", ct));

        version = 9;
        await freshness.PublishBeforeIrreversibleOutputAsync(ct);
        Assert.Equal(9, await consensus.StateVersionAsync("node-1", ct));
        Assert.Equal(new(FreshnessState.Current, freshness.Status.Since, 9, "", 0), freshness.Status);
    }

    [Fact]
    public async Task ConcurrentCallersNeverPublishBackwards()
    {
        var ct = TestContext.Current.CancellationToken;
        var consensus = new InMemoryConsensusStore();
        var version = 0L;

        // Each caller "takes" (bumps the version) and then publishes, as signings do, 64 at once.
        var freshness = new StateFreshness("node-1", _ => Task.FromResult(Interlocked.Read(ref version)), consensus);
        await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(
            async () =>
            {
                var mine = Interlocked.Increment(ref version);
                await freshness.PublishBeforeIrreversibleOutputAsync(ct);
                Assert.True(await consensus.StateVersionAsync("node-1", ct) >= mine);
            },
            ct)));
        Assert.Equal(64, await consensus.StateVersionAsync("node-1", ct));
        Assert.Equal(FreshnessState.Current, freshness.Status.State);
    }

    [Fact]
    public async Task RefusesWhileTheConsensusStoreIsUnreachableAndRecovers()
    {
        var ct = TestContext.Current.CancellationToken;
        var consensus = new FaultyConsensusStore(new InMemoryConsensusStore()) { Down = true };
        var logger = new CapturingLogger();
        var changes = new List<FreshnessState>();
        var freshness = new StateFreshness("node-1", _ => Task.FromResult(3L), consensus, logger);
        freshness.StatusChanged += s => changes.Add(s.State);

        for (var i = 0; i < 3; i++)
        {
            var refused = await Assert.ThrowsAsync<ThresholdException>(() => freshness.PublishBeforeIrreversibleOutputAsync(ct));
            Assert.Equal(ErrorCode.Unavailable, refused.Code);
        }

        Assert.Equal(FreshnessState.Failing, freshness.Status.State);
        Assert.Equal(3, freshness.Status.FailedAttempts);
        Assert.Contains("consensus store unreachable", freshness.Status.Reason, StringComparison.Ordinal);
        Assert.Equal(1, logger.Count("StatePublicationFailing")); // once per change, not once per attempt

        consensus.Down = false;
        await freshness.PublishBeforeIrreversibleOutputAsync(ct);
        Assert.Equal(FreshnessState.Current, freshness.Status.State);
        Assert.Equal(3, await consensus.StateVersionAsync("node-1", ct));
        Assert.Equal(1, logger.Count("StatePublicationRecovered"));
        Assert.Equal([FreshnessState.Failing, FreshnessState.Current], changes);
    }

    [Fact]
    public async Task AHigherPublishedVersionFencesTheNodeForGood()
    {
        var ct = TestContext.Current.CancellationToken;
        var consensus = new InMemoryConsensusStore();
        await consensus.PublishStateVersionAsync("node-1", 50, ct); // another instance ran on a copy and went further
        var logger = new CapturingLogger();
        var freshness = new StateFreshness("node-1", _ => Task.FromResult(40L), consensus, logger);

        var refused = await Assert.ThrowsAsync<ThresholdException>(() => freshness.PublishBeforeIrreversibleOutputAsync(ct));
        Assert.Equal(ErrorCode.FailedPrecondition, refused.Code);
        Assert.Equal(FreshnessState.Fenced, freshness.Status.State);

        // Even once the store could take the version, the node stays fenced until an operator restarts it.
        var again = await Assert.ThrowsAsync<ThresholdException>(() => freshness.PublishBeforeIrreversibleOutputAsync(ct));
        Assert.Equal(ErrorCode.FailedPrecondition, again.Code);
        Assert.False(await freshness.RefreshAsync(ct));
        Assert.Equal(50, await consensus.StateVersionAsync("node-1", ct));
        Assert.Equal(1, logger.Count("StateFenced"));
    }

    [Fact]
    public async Task WithoutAConsensusStoreNothingIsPublished()
    {
        await NoStateFreshness.Instance.PublishBeforeIrreversibleOutputAsync(TestContext.Current.CancellationToken);
        Assert.True(NoStateFreshness.Instance.Status.IsHealthy);
    }

    [Fact]
    public async Task ThePublisherRetriesWithBackoffReportsOnceAndRecovers()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var consensus = new FaultyConsensusStore(new InMemoryConsensusStore()) { Down = true };
        var logger = new CapturingLogger();
        var freshness = new StateFreshness("node-1", _ => Task.FromResult(5L), consensus, logger, clock);
        var interval = TimeSpan.FromMinutes(1);
        await using (var publisher = new StatePublisher(freshness, interval, clock, logger))
        {
            publisher.Start();

            // The first attempt comes at once; failed ones are retried after 1, 2, 4, 8, 16, 30, 30 s.
            var expected = new[] { 1, 2, 4, 8, 16, 30, 30 };
            for (var attempt = 1; attempt <= expected.Length; attempt++)
            {
                await consensus.WaitForPublishAttemptsAsync(attempt, Patience, ct);
                var wait = await clock.WaitForTimerAsync(Patience, ct);
                Assert.Equal(TimeSpan.FromSeconds(expected[attempt - 1]), wait);
                Assert.Equal(StatePublisher.Backoff(attempt), wait);
                Assert.Equal(FreshnessState.Failing, freshness.Status.State);
                if (attempt < expected.Length)
                {
                    clock.Advance(wait);
                }
            }

            Assert.Equal(1, logger.Count("StatePublicationFailing"));

            // While failing, signing is refused too: it publishes through the same component.
            var refused = await Assert.ThrowsAsync<ThresholdException>(() => freshness.PublishBeforeIrreversibleOutputAsync(ct));
            Assert.Equal(ErrorCode.Unavailable, refused.Code);

            // The store comes back: the next retry succeeds, and the publisher goes back to its interval.
            consensus.Down = false;
            var attempts = consensus.PublishAttempts;
            clock.Advance(TimeSpan.FromSeconds(30));
            await consensus.WaitForPublishAttemptsAsync(attempts + 1, Patience, ct);
            Assert.Equal(interval, await clock.WaitForTimerAsync(Patience, ct));
            Assert.Equal(FreshnessState.Current, freshness.Status.State);
            Assert.Equal(5, await consensus.StateVersionAsync("node-1", ct));
            Assert.Single(await consensus.LiveNodesAsync(TimeSpan.FromDays(1), ct));
            Assert.Equal(1, logger.Count("StatePublicationRecovered"));
            Assert.Equal(1, logger.Count("StatePublicationFailing"));
        }
    }
}
