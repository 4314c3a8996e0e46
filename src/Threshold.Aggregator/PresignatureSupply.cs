using Threshold.Contracts;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator;

/// <summary>How the aggregator keeps each key's presignature pool supplied.</summary>
public sealed record PresignatureSupplyOptions
{
    /// <summary>Presignatures kept ready per key however slowly it signs; 0 with <see cref="MaxTarget"/> 0 turns the pool off.</summary>
    public int MinTarget { get; init; } = 4;

    /// <summary>The hard ceiling of a key's target, whatever its signing rate.</summary>
    public int MaxTarget { get; init; } = 64;

    /// <summary>
    /// Presigning runs in flight at once per key (at most the number of t-of-n signer sets). More than one
    /// lets a run's round trips and waits overlap another's computation; each costs the signers' CPU.
    /// </summary>
    public int ConcurrentRuns { get; init; } = 2;

    /// <summary>Half-life of the signing-rate estimate: a key's rate counts half as much this long after.</summary>
    public TimeSpan RateHalfLife { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The refill lead time assumed before any run of the key was timed.</summary>
    public TimeSpan InitialLeadTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MinTarget, nameof(MinTarget));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTarget, MinTarget, nameof(MaxTarget));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConcurrentRuns, 1, nameof(ConcurrentRuns));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RateHalfLife, TimeSpan.Zero, nameof(RateHalfLife));
        ArgumentOutOfRangeException.ThrowIfNegative(InitialLeadTime.Ticks, nameof(InitialLeadTime));
    }
}

/// <summary>One key's supply as it stands.</summary>
/// <param name="Ready">Presignatures in the pool whose signers are all trusted.</param>
/// <param name="InFlight">Background presigning runs under way.</param>
/// <param name="Target">The size the pool is being filled to: signing rate × lead time, within the bounds.</param>
/// <param name="SigningRatePerSecond">The exponentially weighted signing rate.</param>
/// <param name="LeadTime">How long a background run has been taking (weighted average), or the initial assumption.</param>
public sealed record PresignatureSupplyStatus(int Ready, int InFlight, int Target, double SigningRatePerSecond, TimeSpan LeadTime);

/// <summary>Counts since the aggregator started, over all keys.</summary>
/// <param name="TakenFromPool">Signings that found a ready presignature.</param>
/// <param name="Missed">Signings that found none (the aggregator presigned for them inline).</param>
/// <param name="BackgroundRuns">Presignatures the background supply made.</param>
/// <param name="BackgroundFailures">Background runs that made none.</param>
public sealed record PresignatureSupplyCounters(long TakenFromPool, long Missed, long BackgroundRuns, long BackgroundFailures);

/// <summary>
/// Keeps every key's presignature pool supplied in the background. Per key: one supply task at a time
/// (cancelled and awaited as one), which keeps up to <see cref="PresignatureSupplyOptions.ConcurrentRuns"/>
/// presigning runs in flight while ready + running is below the key's target. The target follows the
/// key's signing rate: ⌈rate × lead time⌉ within [min, max], where the rate is exponentially weighted
/// (half-life <see cref="PresignatureSupplyOptions.RateHalfLife"/>) and the lead time is how long a run
/// has been taking, so the pool holds what is signed while one run completes. Every signing records its
/// demand and wakes the key's supply; a supply that finds nothing to do ends.
/// </summary>
public sealed class PresignatureSupply
{
    private readonly PresignaturePool pool;
    private readonly Func<string, CancellationToken, Task<(PresignatureInfo? Presignature, OperationFailure Incidents)>> presign;
    private readonly Func<IEnumerable<int>, HashSet<int>> trusted;
    private readonly Func<IReadOnlyCollection<int>> parties;
    private readonly PresignatureSupplyOptions options;
    private readonly TimeProvider time;
    private readonly int concurrency;
    private readonly Dictionary<string, KeySupply> keys = [];
    private readonly CancellationTokenSource stopping = new();
    private long takenFromPool;
    private long missed;
    private long backgroundRuns;
    private long backgroundFailures;

    /// <summary>A supply for <paramref name="pool"/>.</summary>
    /// <param name="pool">The pool it fills.</param>
    /// <param name="presign">Makes one presignature of a key among every node, leaving out nodes that fail (null with what happened when none could be made).</param>
    /// <param name="trusted">The nodes among the given ones whose presignatures to prefer (no failed run since their last good one).</param>
    /// <param name="parties">Every node's party index.</param>
    /// <param name="signerSets">How many distinct t-of-n signer sets exist; bounds the runs in flight per key.</param>
    /// <param name="options">Targets, concurrency, rate estimate.</param>
    /// <param name="time">The clock of the rate estimate and the lead time.</param>
    internal PresignatureSupply(
        PresignaturePool pool,
        Func<string, CancellationToken, Task<(PresignatureInfo? Presignature, OperationFailure Incidents)>> presign,
        Func<IEnumerable<int>, HashSet<int>> trusted,
        Func<IReadOnlyCollection<int>> parties,
        long signerSets,
        PresignatureSupplyOptions options,
        TimeProvider? time = null)
    {
        this.pool = pool ?? throw new ArgumentNullException(nameof(pool));
        this.presign = presign ?? throw new ArgumentNullException(nameof(presign));
        this.trusted = trusted ?? throw new ArgumentNullException(nameof(trusted));
        this.parties = parties ?? throw new ArgumentNullException(nameof(parties));
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        this.time = time ?? TimeProvider.System;
        concurrency = (int)Math.Max(1, Math.Min(options.ConcurrentRuns, signerSets));
    }

    /// <summary>Whether signings and new keys start background runs (default). Pausing lets running ones finish.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Runs in flight per key at most: the configured number, capped by the number of signer sets.</summary>
    public int ConcurrentRuns => concurrency;

    /// <summary>Counts since start, over all keys.</summary>
    public PresignatureSupplyCounters Counters => new(Interlocked.Read(ref takenFromPool), Interlocked.Read(ref missed), Interlocked.Read(ref backgroundRuns), Interlocked.Read(ref backgroundFailures));

    /// <summary>The number of t-element subsets of n nodes (saturating).</summary>
    public static long SignerSets(int nodes, int threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nodes);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        if (threshold > nodes)
        {
            return 0;
        }

        long sets = 1;
        var k = Math.Min(threshold, nodes - threshold); // C(n, t) = C(n, n − t)
        for (var i = 1; i <= k; i++)
        {
            sets = sets * (nodes - k + i) / i; // exact at every step: C(n − k + i, i)
            if (sets > int.MaxValue)
            {
                return int.MaxValue;
            }
        }

        return sets;
    }

    /// <summary>What the pool's target is for a signing rate and a lead time: ⌈rate × lead⌉ within [min, max].</summary>
    public static int TargetFor(double ratePerSecond, TimeSpan leadTime, int min, int max)
    {
        var wanted = Math.Ceiling(Math.Max(0, ratePerSecond) * Math.Max(0, leadTime.TotalSeconds));
        return (int)Math.Clamp(wanted, min, max);
    }

    /// <summary>The state of <paramref name="keyId"/>'s supply.</summary>
    public PresignatureSupplyStatus Status(string keyId)
    {
        var key = Key(keyId);
        var (rate, lead) = key.Estimate(time.GetUtcNow(), options);
        return new PresignatureSupplyStatus(Ready(keyId), Volatile.Read(ref key.InFlight), TargetFor(rate, lead, options.MinTarget, options.MaxTarget), rate, lead);
    }

    private int Target(KeySupply key)
    {
        var (rate, lead) = key.Estimate(time.GetUtcNow(), options);
        return TargetFor(rate, lead, options.MinTarget, options.MaxTarget);
    }

    /// <summary>
    /// Takes a presignature for a signing among <paramref name="available"/> (trusted signers first), records
    /// the demand in the key's rate and wakes its supply. Null: the caller presigns inline.
    /// </summary>
    public PresignatureInfo? Take(string keyId, IReadOnlyCollection<int> available)
    {
        ArgumentNullException.ThrowIfNull(available);
        Key(keyId).RecordSigning(time.GetUtcNow(), options.RateHalfLife);
        var taken = pool.Take(keyId, trusted(available)) ?? pool.Take(keyId, available);
        if (taken is null)
        {
            Interlocked.Increment(ref missed);
        }
        else
        {
            Interlocked.Increment(ref takenFromPool);
        }

        Refill(keyId);
        return taken;
    }

    /// <summary>Starts <paramref name="keyId"/>'s background supply if it is not running, else asks it to look again before it ends.</summary>
    public void Refill(string keyId)
    {
        if (!Enabled || stopping.IsCancellationRequested)
        {
            return;
        }

        var key = Key(keyId);
        lock (key.Gate)
        {
            if (key.Supply is { IsCompleted: false })
            {
                key.Wake = true; // the running supply looks again before it ends
                return;
            }

            key.Wake = false;
            key.Supply = Task.Run(() => SupplyAsync(keyId, key));
        }
    }

    /// <summary>
    /// Fills <paramref name="keyId"/>'s pool to <paramref name="target"/> now, <see cref="ConcurrentRuns"/> runs at
    /// a time (warm-up before a burst). Throws <see cref="ThresholdException"/> when a run makes nothing.
    /// </summary>
    public async Task WarmUpAsync(string keyId, int target, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping.Token);
        var failure = await FillAsync(keyId, Key(keyId), () => target, maxRuns: Math.Max(0, target), background: false, linked.Token).ConfigureAwait(false);
        if (failure is not null)
        {
            throw new ThresholdException(ErrorCode.Unavailable, $"presigning failed: {Describe(failure)}");
        }
    }

    /// <summary>Waits until no key's background supply is running (tests, shutdown).</summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            Task[] running;
            lock (keys)
            {
                running = [.. keys.Values.Select(k => k.Supply).OfType<Task>().Where(t => !t.IsCompleted)];
            }

            if (running.Length == 0)
            {
                return;
            }

            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    /// <summary>Cancels every background run and waits for the supplies to end.</summary>
    public async Task StopAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await DrainAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Keeps the key at its target until it is reached and no signing asked again meanwhile.</summary>
    private async Task SupplyAsync(string keyId, KeySupply key)
    {
        while (true)
        {
            // Bounded per pass: a key whose signers keep failing never reaches its target.
            await FillAsync(keyId, key, () => Target(key), maxRuns: Math.Max(1, options.MaxTarget), background: true, stopping.Token).ConfigureAwait(false);
            lock (key.Gate)
            {
                if (!key.Wake || !Enabled || stopping.IsCancellationRequested)
                {
                    key.Supply = null; // a Refill from now on starts a new supply
                    return;
                }

                key.Wake = false;
            }
        }
    }

    /// <summary>
    /// Keeps up to <see cref="ConcurrentRuns"/> runs in flight while ready + running is below <paramref name="target"/>,
    /// at most <paramref name="maxRuns"/> in all; stops starting runs after one makes nothing and returns what
    /// it reported. Every started run is awaited before this returns.
    /// </summary>
    private async Task<OperationFailure?> FillAsync(string keyId, KeySupply key, Func<int> target, int maxRuns, bool background, CancellationToken cancellationToken)
    {
        var running = new List<Task<(PresignatureInfo? Presignature, OperationFailure Incidents)>>();
        var started = 0;
        OperationFailure? failure = null;
        Exception? error = null;
        while (true)
        {
            while (failure is null && error is null && !cancellationToken.IsCancellationRequested && started < maxRuns && running.Count < concurrency && Ready(keyId) + running.Count < target())
            {
                running.Add(TimedRunAsync(keyId, key, cancellationToken));
                started++;
            }

            if (running.Count == 0)
            {
                break;
            }

            var done = await Task.WhenAny(running).ConfigureAwait(false);
            running.Remove(done);
            try
            {
                var (made, incidents) = await done.ConfigureAwait(false);
                if (made is null)
                {
                    failure = incidents;
                    if (background)
                    {
                        Interlocked.Increment(ref backgroundFailures);
                    }
                }
                else
                {
                    pool.Add(keyId, made);
                    if (background)
                    {
                        Interlocked.Increment(ref backgroundRuns);
                    }
                }
            }
            catch (Exception e)
            {
                error ??= e; // the others still finish before this one is reported
            }
        }

        if (error is not null)
        {
            global::System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        return failure;
    }

    private async Task<(PresignatureInfo? Presignature, OperationFailure Incidents)> TimedRunAsync(string keyId, KeySupply key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref key.InFlight);
        var started = time.GetTimestamp();
        try
        {
            var result = await presign(keyId, cancellationToken).ConfigureAwait(false);
            if (result.Presignature is not null)
            {
                key.RecordRun(time.GetElapsedTime(started));
            }

            return result;
        }
        finally
        {
            Interlocked.Decrement(ref key.InFlight);
        }
    }

    private int Ready(string keyId) => pool.Count(keyId, trusted(parties()));

    private KeySupply Key(string keyId)
    {
        lock (keys)
        {
            if (!keys.TryGetValue(keyId, out var key))
            {
                key = new KeySupply();
                keys[keyId] = key;
            }

            return key;
        }
    }

    private static string Describe(OperationFailure incidents) =>
        string.Join("; ", incidents.Culprits.Select(c => $"{c.NodeId} failed {c.Check}").Concat(incidents.UnresponsiveNodes.Select(n => $"{n} unresponsive")).Concat(incidents.RefusingNodes.Select(n => $"{n} refused")).DefaultIfEmpty("no node to blame"));

    /// <summary>One key: its supply task, its signing rate and how long its runs take.</summary>
    private sealed class KeySupply
    {
        private const double LeadWeight = 0.25; // each timed run moves the lead time a quarter of the way
        private double decayedSignings; // Σ exp(−age/τ) over past signings, as of lastSigning
        private DateTimeOffset lastSigning;
        private readonly Lock estimates = new();
        private double? leadSeconds;

        /// <summary>Guards <see cref="Supply"/> and <see cref="Wake"/>.</summary>
        public readonly Lock Gate = new();

        public Task? Supply;
        public bool Wake;
        public int InFlight;

        /// <summary>One more signing at <paramref name="now"/>.</summary>
        public void RecordSigning(DateTimeOffset now, TimeSpan halfLife)
        {
            lock (estimates)
            {
                decayedSignings = (decayedSignings * Decay(now - lastSigning, halfLife)) + 1;
                lastSigning = now > lastSigning ? now : lastSigning;
            }
        }

        /// <summary>A run that made a presignature took <paramref name="duration"/>.</summary>
        public void RecordRun(TimeSpan duration)
        {
            lock (estimates)
            {
                leadSeconds = leadSeconds is { } previous ? previous + (LeadWeight * (duration.TotalSeconds - previous)) : duration.TotalSeconds;
            }
        }

        /// <summary>
        /// Signings per second: with τ = half-life / ln 2, the decayed count Σ exp(−age/τ) of a steady rate r
        /// tends to r·τ, so the estimate is that sum over τ. The lead time is the weighted run time.
        /// </summary>
        public (double RatePerSecond, TimeSpan LeadTime) Estimate(DateTimeOffset now, PresignatureSupplyOptions options)
        {
            lock (estimates)
            {
                var tau = options.RateHalfLife.TotalSeconds / Math.Log(2);
                var rate = decayedSignings * Decay(now - lastSigning, options.RateHalfLife) / tau;
                return (rate, leadSeconds is { } lead ? TimeSpan.FromSeconds(lead) : options.InitialLeadTime);
            }
        }

        private static double Decay(TimeSpan age, TimeSpan halfLife) =>
            age <= TimeSpan.Zero ? 1 : Math.Pow(0.5, age / halfLife);
    }
}
