namespace Threshold.Simulator.Engine;

/// <summary>
/// Virtual time: actions ordered by (time, sequence number), so two actions due at the same instant
/// run in the order they were scheduled and every run of a scenario takes the same path.
/// </summary>
internal sealed class EventQueue
{
    private readonly PriorityQueue<Action, (double Time, long Sequence)> queue = new();
    private long sequence;

    /// <summary>The time of the action being run (or last run).</summary>
    public double Now { get; private set; }

    /// <summary>Schedules <paramref name="action"/> at <paramref name="time"/> (not before now).</summary>
    public void At(double time, Action action) => queue.Enqueue(action, (Math.Max(time, Now), sequence++));

    /// <summary>Runs the earliest action; false when nothing is scheduled.</summary>
    public bool Step()
    {
        if (!queue.TryDequeue(out var action, out var key))
        {
            return false;
        }

        Now = key.Time;
        action();
        return true;
    }
}
