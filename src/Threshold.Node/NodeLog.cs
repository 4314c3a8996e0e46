using Microsoft.Extensions.Logging;

namespace Threshold.Node;

/// <summary>
/// The node's log events: stable ids and names, structured fields, never a secret or a payload (ids,
/// parties, check names, versions and counts only).
/// </summary>
internal static partial class NodeLog
{
    [LoggerMessage(EventId = 1101, EventName = "StatePublicationFailing", Level = LogLevel.Error,
        Message = "node {NodeId} cannot publish its state version ({Reason}); it refuses to sign until it can")]
    public static partial void PublicationFailing(ILogger logger, string nodeId, string reason);

    [LoggerMessage(EventId = 1102, EventName = "StatePublicationStillFailing", Level = LogLevel.Debug,
        Message = "node {NodeId}: state version publication failed again (attempt {Attempts}: {Reason})")]
    public static partial void PublicationStillFailing(ILogger logger, string nodeId, int attempts, string reason);

    [LoggerMessage(EventId = 1103, EventName = "StatePublicationRecovered", Level = LogLevel.Information,
        Message = "node {NodeId} publishes its state version again (version {Version}, after {FailedAttempts} failed attempts)")]
    public static partial void PublicationRecovered(ILogger logger, string nodeId, int failedAttempts, long version);

    [LoggerMessage(EventId = 1104, EventName = "StateFenced", Level = LogLevel.Critical,
        Message = "node {NodeId}: the cluster has seen state version {Published} of this node but its database is at {Own}: another instance runs on a copy of its database, or the database went back; the node refuses to sign until restarted")]
    public static partial void Fenced(ILogger logger, string nodeId, long published, long own);

    [LoggerMessage(EventId = 1105, EventName = "StatePublisherError", Level = LogLevel.Error,
        Message = "the state publisher hit an unexpected error; it goes on")]
    public static partial void PublisherError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1201, EventName = "SignRefused", Level = LogLevel.Warning,
        Message = "node {NodeId} refused a partial signature for key {KeyId}: {Reason} (the presignature stays used up)")]
    public static partial void SignRefused(ILogger logger, string nodeId, string keyId, string reason);

    [LoggerMessage(EventId = 1203, EventName = "AuditFailed", Level = LogLevel.Error,
        Message = "node {NodeId} could not append to its audit log ({Error})")]
    public static partial void AuditFailed(ILogger logger, string nodeId, string error);

    [LoggerMessage(EventId = 1202, EventName = "ProtocolAborted", Level = LogLevel.Warning,
        Message = "node {NodeId}: {Protocol} session {SessionId} aborted; culprits {Culprits}")]
    public static partial void ProtocolAborted(ILogger logger, string nodeId, string protocol, string sessionId, string culprits);
}
