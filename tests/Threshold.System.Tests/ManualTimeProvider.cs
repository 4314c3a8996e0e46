namespace Threshold.System.Tests;

/// <summary>
/// A clock with timers that the test moves by hand: <see cref="Advance"/> fires the timers that fall due.
/// <see cref="WaitForTimerAsync"/> waits (on an event, not a sleep) until some code has armed a timer and
/// says when it is due, so a test can check a backoff and then let it pass.
/// </summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<Timer> armed = [];
    private DateTimeOffset now = start;
    private TaskCompletionSource timerArmed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Waits until a timer is armed; returns how long until the earliest is due.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task signal;
        lock (gate)
        {
            if (armed.Count > 0)
            {
                return armed.Min(t => t.Due) - now;
            }

            signal = timerArmed.Task;
        }

        try
        {
            await signal.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {timeout.TotalSeconds} s for a timer to be armed");
        }

        return await WaitForTimerAsync(timeout, cancellationToken);
    }

    /// <summary>Moves the clock on and fires (once each) every timer that falls due.</summary>
    public void Advance(TimeSpan by)
    {
        List<Timer> due;
        lock (gate)
        {
            now += by;
            due = [.. armed.Where(t => t.Due <= now)];
            armed.RemoveAll(t => t.Due <= now);
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private void Arm(Timer timer, DateTimeOffset due)
    {
        lock (gate)
        {
            armed.Remove(timer);
            timer.Due = due;
            armed.Add(timer);
            timerArmed.TrySetResult();
            timerArmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private void Disarm(Timer timer)
    {
        lock (gate)
        {
            armed.Remove(timer);
        }
    }

    /// <summary>A one-shot or periodic timer on the manual clock (periodic timers re-arm when they fire).</summary>
    private sealed class Timer(ManualTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset Due { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            this.period = period;
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                clock.Disarm(this);
            }
            else
            {
                clock.Arm(this, clock.GetUtcNow() + dueTime);
            }

            return true;
        }

        public void Fire()
        {
            if (period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero)
            {
                clock.Arm(this, Due + period);
            }

            callback(state);
        }

        public void Dispose() => clock.Disarm(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
