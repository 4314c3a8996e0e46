using Microsoft.Extensions.Logging;

namespace Threshold.System.Tests;

/// <summary>Keeps every log entry (level, event, rendered message) for assertions.</summary>
internal sealed class CapturingLogger : ILogger
{
    private readonly Lock gate = new();
    private readonly List<(LogLevel Level, EventId Event, string Message)> entries = [];

    public IReadOnlyList<(LogLevel Level, EventId Event, string Message)> Entries
    {
        get
        {
            lock (gate)
            {
                return [.. entries];
            }
        }
    }

    /// <summary>How many entries carry the event named <paramref name="eventName"/>.</summary>
    public int Count(string eventName) => Entries.Count(e => e.Event.Name == eventName);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (gate)
        {
            entries.Add((logLevel, eventId, formatter(state, exception)));
        }
    }
}
