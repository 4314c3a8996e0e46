using Microsoft.Extensions.Logging;

namespace Threshold.Cli.Commands;

/// <summary>The command line's own log events.</summary>
internal static partial class CliLog
{
    [LoggerMessage(EventId = 4001, EventName = "StartFailed", Level = LogLevel.Critical,
        Message = "the {Service} could not start or stopped on an error: {Error}: {Message}")]
    public static partial void StartFailed(ILogger logger, string service, string error, string message);
}
