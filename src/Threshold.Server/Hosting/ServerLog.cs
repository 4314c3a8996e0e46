using Microsoft.Extensions.Logging;

namespace Threshold.Server.Hosting;

/// <summary>The runtimes' log events: stable ids and names, structured fields, no secrets.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 2001, EventName = "NodeStarting", Level = LogLevel.Information,
        Message = "node {NodeId} starting (store {Store}, consensus store {Consensus})")]
    public static partial void NodeStarting(ILogger logger, string nodeId, string store, string consensus);

    [LoggerMessage(EventId = 2002, EventName = "NodeListening", Level = LogLevel.Information,
        Message = "node {NodeId} serving on {Address}")]
    public static partial void NodeListening(ILogger logger, string nodeId, string address);

    [LoggerMessage(EventId = 2003, EventName = "RollbackDetected", Level = LogLevel.Critical,
        Message = "node {NodeId} refuses to start: its database is at state version {Own} but the cluster last saw {Published} (a restored or rolled-back copy)")]
    public static partial void RollbackDetected(ILogger logger, string nodeId, long own, long published);

    [LoggerMessage(EventId = 2004, EventName = "LastPublicationFailed", Level = LogLevel.Warning,
        Message = "node {NodeId} could not publish its state version at shutdown ({Reason})")]
    public static partial void LastPublicationFailed(ILogger logger, string nodeId, string reason);

    [LoggerMessage(EventId = 2005, EventName = "NodeStopped", Level = LogLevel.Information,
        Message = "node {NodeId} stopped")]
    public static partial void NodeStopped(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 2006, EventName = "LoginMaintenanceFailed", Level = LogLevel.Warning,
        Message = "node {NodeId} could not apply operator unlocks or sweep login state ({Error}); retrying in a second")]
    public static partial void LoginMaintenanceFailed(ILogger logger, string nodeId, string error);

    [LoggerMessage(EventId = 2101, EventName = "AggregatorStarting", Level = LogLevel.Information,
        Message = "aggregator starting: {Nodes} nodes in the cluster file, threshold {Threshold}")]
    public static partial void AggregatorStarting(ILogger logger, int nodes, int threshold);

    [LoggerMessage(EventId = 2102, EventName = "AggregatorListening", Level = LogLevel.Information,
        Message = "aggregator serving the wallet API on {Address} ({Reachable} of {Nodes} nodes reachable)")]
    public static partial void AggregatorListening(ILogger logger, string address, int reachable, int nodes);

    [LoggerMessage(EventId = 2103, EventName = "AggregatorStopped", Level = LogLevel.Information,
        Message = "aggregator stopped")]
    public static partial void AggregatorStopped(ILogger logger);
}
