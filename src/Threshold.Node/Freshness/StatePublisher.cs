using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Threshold.Node.Freshness;

/// <summary>
/// The background side of <see cref="StateFreshness"/>: publishes the state version and a heartbeat at
/// once, then every <c>interval</c> while that works. A failed attempt is retried after 1 s, 2 s, 4 s …
/// up to <see cref="MaxBackoff"/>, for as long as it fails; the loop never stops on an error. Whether it
/// works is <see cref="StateFreshness.Status"/>, logged once per change; while it fails the node also
/// refuses to sign, because signing publishes through the same component and fails alike.
/// </summary>
public sealed class StatePublisher : IAsyncDisposable
{
    /// <summary>The longest wait between two failed attempts.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    private readonly StateFreshness freshness;
    private readonly TimeSpan interval;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private Task? loop;

    /// <summary>Creates the publisher; <see cref="Start"/> starts it.</summary>
    /// <param name="freshness">What publishes.</param>
    /// <param name="interval">How often to publish while publishing works.</param>
    /// <param name="time">The clock the waits run on.</param>
    /// <param name="logger">Logs an unexpected error of the loop itself.</param>
    public StatePublisher(StateFreshness freshness, TimeSpan interval, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        this.freshness = freshness ?? throw new ArgumentNullException(nameof(freshness));
        this.interval = interval;
        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The wait after <paramref name="failures"/> consecutive failed attempts: 1 s doubling, at most <see cref="MaxBackoff"/>.</summary>
    public static TimeSpan Backoff(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var seconds = FirstRetry.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 16));
        return TimeSpan.FromSeconds(Math.Min(seconds, MaxBackoff.TotalSeconds));
    }

    /// <summary>Starts publishing in the background (the first attempt right away).</summary>
    public void Start()
    {
        if (loop is not null)
        {
            throw new InvalidOperationException("already started");
        }

        loop = Task.Run(RunAsync);
    }

    /// <summary>Stops the loop (it does not publish a last time; the caller decides).</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var failures = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                bool published;
                try
                {
                    published = await freshness.RefreshAsync(stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    NodeLog.PublisherError(logger, e);
                    published = false;
                }

                failures = published ? 0 : failures + 1;
                await Task.Delay(published ? interval : Backoff(failures), time, stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }
}
