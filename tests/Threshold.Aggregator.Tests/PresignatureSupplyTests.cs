using System.Threading.Channels;
using Google.Protobuf;
using Threshold.Contracts.V1;
using Threshold.Testing;

namespace Threshold.Aggregator.Tests;

/// <summary>
/// The aggregator's presignature supply with a scripted presigning step: how many runs it keeps in flight
/// per key, when it stops, and how the pool's target follows the signing rate.
/// </summary>
public sealed class PresignatureSupplyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task MoreThanOneRunIsInFlightPerKeyAndNeverMoreThanTheBound()
    {
        var ct = TestContext.Current.CancellationToken;
        var presigner = new ScriptedPresigner();
        var pool = new PresignaturePool();
        var supply = Supply(pool, presigner, new PresignatureSupplyOptions { MinTarget = 6, MaxTarget = 6, ConcurrentRuns = 2 });

        supply.Refill("key");
        var first = await presigner.NextStartedAsync(ct);
        var second = await presigner.NextStartedAsync(ct);
        Assert.Equal(2, presigner.InFlight); // both under way before either finished
        Assert.Equal(2, supply.Status("key").InFlight);
        supply.Refill("key"); // signings asking again start no second supply
        supply.Refill("key");

        // Each completion lets the supply start one more run while ready + running is below 6.
        first.Complete();
        var (completed, seen) = (1, 2);
        var waiting = new Queue<ScriptedRun>([second]);
        while (completed < 6)
        {
            if (seen < 6)
            {
                waiting.Enqueue(await presigner.NextStartedAsync(ct));
                seen++;
            }

            waiting.Dequeue().Complete();
            completed++;
        }

        await supply.DrainAsync().WaitAsync(Patience, ct);
        Assert.Equal(6, pool.Count("key"));
        Assert.Equal(6, presigner.Started); // ready + running never exceeds the target
        Assert.Equal(2, presigner.MaxInFlight);
        Assert.Equal(new PresignatureSupplyCounters(0, 0, 6, 0), supply.Counters);
        Assert.Equal(0, supply.Status("key").InFlight);
    }

    [Fact]
    public void RunsInFlightAreCappedByTheNumberOfSignerSets()
    {
        var options = new PresignatureSupplyOptions { ConcurrentRuns = 5 };
        Assert.Equal(1, PresignatureSupply.SignerSets(2, 2));
        Assert.Equal(3, PresignatureSupply.SignerSets(3, 2));
        Assert.Equal(10, PresignatureSupply.SignerSets(5, 3));
        Assert.Equal(1, Supply(new PresignaturePool(), new ScriptedPresigner(), options, signerSets: 1).ConcurrentRuns);
        Assert.Equal(3, Supply(new PresignaturePool(), new ScriptedPresigner(), options, signerSets: 3).ConcurrentRuns);
        Assert.Equal(5, Supply(new PresignaturePool(), new ScriptedPresigner(), options, signerSets: 10).ConcurrentRuns);
    }

    [Fact]
    public async Task AFailedRunEndsThePass()
    {
        var ct = TestContext.Current.CancellationToken;
        var presigner = new ScriptedPresigner();
        var pool = new PresignaturePool();
        var supply = Supply(pool, presigner, new PresignatureSupplyOptions { MinTarget = 8, MaxTarget = 8, ConcurrentRuns = 1 });

        supply.Refill("key");
        (await presigner.NextStartedAsync(ct)).Complete();
        (await presigner.NextStartedAsync(ct)).Fail();
        await supply.DrainAsync().WaitAsync(Patience, ct);

        Assert.Equal(2, presigner.Started); // nothing new after the failure, until a signing asks again
        Assert.Equal(1, pool.Count("key"));
        Assert.Equal(new PresignatureSupplyCounters(0, 0, 1, 1), supply.Counters);
    }

    [Fact]
    public async Task StoppingCancelsRunsInFlightAndRefillsNoMore()
    {
        var ct = TestContext.Current.CancellationToken;
        var presigner = new ScriptedPresigner();
        var supply = Supply(new PresignaturePool(), presigner, new PresignatureSupplyOptions { MinTarget = 4, ConcurrentRuns = 2 });

        supply.Refill("key");
        await presigner.NextStartedAsync(ct);
        await presigner.NextStartedAsync(ct);
        await supply.StopAsync().WaitAsync(Patience, ct); // the scripted runs end only when cancelled
        Assert.Equal(0, presigner.InFlight);

        supply.Refill("key");
        await supply.DrainAsync().WaitAsync(Patience, ct);
        Assert.Equal(2, presigner.Started);
    }

    [Fact]
    public async Task WarmUpFillsToItsTargetWithRunsInParallel()
    {
        var ct = TestContext.Current.CancellationToken;
        var presigner = new ScriptedPresigner { CompleteAtOnce = true };
        var pool = new PresignaturePool();
        var supply = Supply(pool, presigner, new PresignatureSupplyOptions { MinTarget = 2, ConcurrentRuns = 2 });
        supply.Enabled = false;

        await supply.WarmUpAsync("key", 9, ct).WaitAsync(Patience, ct);
        Assert.Equal(9, pool.Count("key"));
        Assert.Equal(9, presigner.Started);
    }

    [Fact]
    public void PoolTargetFollowsTheSigningRateWithinItsBounds()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var options = new PresignatureSupplyOptions { MinTarget = 4, MaxTarget = 64, RateHalfLife = TimeSpan.FromSeconds(10), InitialLeadTime = TimeSpan.FromSeconds(2) };
        var supply = Supply(new PresignaturePool(), new ScriptedPresigner(), options, clock: clock);
        supply.Enabled = false; // no runs: the lead time stays the initial 2 s
        Assert.Equal(4, supply.Status("key").Target);

        SignAtRate(supply, clock, perSecond: 10, seconds: 120);
        var steady = supply.Status("key");
        Assert.InRange(steady.SigningRatePerSecond, 9.5, 10.5);
        Assert.InRange(steady.Target, 19, 22); // ⌈10/s × 2 s⌉, give or take the estimate
        Assert.Equal(TimeSpan.FromSeconds(2), steady.LeadTime);

        SignAtRate(supply, clock, perSecond: 1000, seconds: 30);
        Assert.Equal(64, supply.Status("key").Target); // bounded above

        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(4, supply.Status("key").Target); // back to the floor once the key is idle
        Assert.Equal(4, supply.Status("another key").Target);
        Assert.Equal(new PresignatureSupplyCounters(0, (120 * 10) + (30 * 1000), 0, 0), supply.Counters); // every take missed the empty pool
    }

    [Theory]
    [InlineData(0.0, 1.0, 4)]
    [InlineData(3.0, 1.0, 4)]
    [InlineData(4.5, 1.0, 5)]
    [InlineData(10.0, 2.5, 25)]
    [InlineData(1000.0, 1.0, 64)]
    public void TargetIsRateTimesLeadTimeClamped(double rate, double leadSeconds, int expected) =>
        Assert.Equal(expected, PresignatureSupply.TargetFor(rate, TimeSpan.FromSeconds(leadSeconds), 4, 64));

    private static void SignAtRate(PresignatureSupply supply, ManualClock clock, int perSecond, int seconds)
    {
        var gap = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / perSecond);
        for (var i = 0; i < perSecond * seconds; i++)
        {
            clock.Advance(gap);
            Assert.Null(supply.Take("key", [1, 2, 3]));
        }
    }

    private static PresignatureSupply Supply(PresignaturePool pool, ScriptedPresigner presigner, PresignatureSupplyOptions options, long signerSets = 3, TimeProvider? clock = null) =>
        new(pool, presigner.PresignAsync, candidates => [.. candidates], () => [1, 2, 3], signerSets, options, clock);

    /// <summary>One presigning run the test finishes by hand.</summary>
    private sealed class ScriptedRun
    {
        public TaskCompletionSource<bool> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Complete() => Outcome.SetResult(true);

        public void Fail() => Outcome.SetResult(false);
    }

    /// <summary>Presigning as the supply sees it: each run waits until the test completes, fails or cancels it.</summary>
    private sealed class ScriptedPresigner
    {
        private readonly Channel<ScriptedRun> started = Channel.CreateUnbounded<ScriptedRun>();
        private readonly Lock gate = new();
        private int inFlight;
        private int maxInFlight;
        private int count;

        public bool CompleteAtOnce { get; init; }

        public int InFlight
        {
            get
            {
                lock (gate)
                {
                    return inFlight;
                }
            }
        }

        public int MaxInFlight
        {
            get
            {
                lock (gate)
                {
                    return maxInFlight;
                }
            }
        }

        public int Started => Volatile.Read(ref count);

        public async Task<ScriptedRun> NextStartedAsync(CancellationToken ct) =>
            await started.Reader.ReadAsync(ct).AsTask().WaitAsync(Patience, ct);

        public async Task<(PresignatureInfo? Presignature, OperationFailure Incidents)> PresignAsync(string keyId, CancellationToken ct)
        {
            var run = new ScriptedRun();
            var number = Interlocked.Increment(ref count);
            lock (gate)
            {
                inFlight++;
                maxInFlight = Math.Max(maxInFlight, inFlight);
            }

            try
            {
                if (CompleteAtOnce)
                {
                    run.Complete();
                }
                else
                {
                    started.Writer.TryWrite(run);
                }

                var made = await run.Outcome.Task.WaitAsync(ct);
                var incidents = new OperationFailure();
                if (!made)
                {
                    incidents.RefusingNodes.Add("node-2");
                }

                return (made ? new PresignatureInfo { PresignatureId = ByteString.CopyFrom(BitConverter.GetBytes(number)), Signers = { 1, 2 } } : null, incidents);
            }
            finally
            {
                lock (gate)
                {
                    inFlight--;
                }
            }
        }
    }
}
