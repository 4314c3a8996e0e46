using Threshold.Simulator.Engine;

namespace Threshold.Simulator.Tests;

public sealed class EventQueueTests
{
    [Fact]
    public void ActionsRunInTimeOrderAndTiesInTheOrderScheduled()
    {
        var queue = new EventQueue();
        var ran = new List<string>();
        queue.At(5, () => ran.Add("b"));
        queue.At(1, () => ran.Add("a"));
        queue.At(5, () => ran.Add("c"));
        queue.At(5, () => queue.At(0, () => ran.Add("d: not before now")));

        while (queue.Step())
        {
        }

        Assert.Equal(["a", "b", "c", "d: not before now"], ran);
        Assert.Equal(5, queue.Now);
    }
}
