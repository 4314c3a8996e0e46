using System.Diagnostics.Tracing;
using System.Globalization;

namespace Threshold.Cli.Bench;

/// <summary>
/// The bytes this process has sent over sockets, from the runtime's own counter (<c>System.Net.Sockets</c>,
/// <c>bytes-sent</c>). With clients and servers in one process over loopback, every byte on the wire is
/// sent once by this process, so the difference over a run is the run's traffic: TLS records, HTTP/2
/// frames and messages of both directions.
/// </summary>
internal sealed class SocketBytes : EventListener
{
    private const string SourceName = "System.Net.Sockets";
    private long sent = -1;
    private long reports;

    /// <summary>
    /// The counter's value as of a report made after this call: waits for the next two reports (the
    /// runtime publishes the counter every 100 ms here), so sends that completed before the call are in.
    /// </summary>
    public async Task<long> SentAsync()
    {
        var seen = Interlocked.Read(ref reports);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Interlocked.Read(ref reports) < seen + 2)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return -1; // the counter is not published (telemetry disabled in this runtime)
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return Interlocked.Read(ref sent);
    }

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == SourceName)
        {
            EnableEvents(eventSource, EventLevel.LogAlways, EventKeywords.All, new Dictionary<string, string?> { ["EventCounterIntervalSec"] = "0.1" });
        }
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName != "EventCounters" || eventData.Payload is not [IDictionary<string, object> counter, ..]
            || !counter.TryGetValue("Name", out var name) || name as string != "bytes-sent" || !counter.TryGetValue("Mean", out var value))
        {
            return;
        }

        Interlocked.Exchange(ref sent, (long)Convert.ToDouble(value, CultureInfo.InvariantCulture));
        Interlocked.Increment(ref reports);
    }
}
