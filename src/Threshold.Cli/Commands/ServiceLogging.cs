using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Threshold.Cli.Commands;

/// <summary>
/// The logs of the long-running commands (<c>threshold node</c>, <c>threshold aggregator</c>): one JSON
/// object per line on standard output (the shared framework's JSON console formatter), UTC timestamps,
/// our events from <c>--log-level</c> up and ASP.NET Core's from warnings up. Events carry ids, parties,
/// versions and check names, never secrets or payloads.
/// </summary>
internal static class ServiceLogging
{
    public static Option<LogLevel> Level() => new("--log-level")
    {
        Description = "Least severe log level: Trace, Debug, Information (default), Warning, Error, Critical.",
        DefaultValueFactory = _ => LogLevel.Information,
    };

    public static ILoggerFactory Create(LogLevel level) => LoggerFactory.Create(logging => logging
        .SetMinimumLevel(level)
        .AddFilter("Microsoft", LogLevel.Warning)
        .AddJsonConsole(json =>
        {
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            json.JsonWriterOptions = new JsonWriterOptions { Indented = false };
        }));
}
