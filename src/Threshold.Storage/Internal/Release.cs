namespace Threshold.Storage.Internal;

/// <summary>Runs an action once when disposed (releases a database ownership lock).</summary>
internal sealed class Release(Func<ValueTask> action) : IAsyncDisposable
{
    private Func<ValueTask>? action = action;

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref action, null) is { } run ? run() : ValueTask.CompletedTask;
}
