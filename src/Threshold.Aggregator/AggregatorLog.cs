using Microsoft.Extensions.Logging;
using Threshold.Contracts.V1;

namespace Threshold.Aggregator;

/// <summary>The aggregator's log events: stable ids and names, node ids, parties and check names only (no payloads).</summary>
internal static partial class AggregatorLog
{
    [LoggerMessage(EventId = 3001, EventName = "NodeUnreachable", Level = LogLevel.Warning,
        Message = "node {NodeId} (party {Party}) unreachable: {Reason}")]
    public static partial void NodeUnreachable(ILogger logger, string nodeId, int party, string reason);

    [LoggerMessage(EventId = 3002, EventName = "NodeReachable", Level = LogLevel.Information,
        Message = "node {NodeId} (party {Party}) reachable (after {FailedProbes} failed probes)")]
    public static partial void NodeReachable(ILogger logger, string nodeId, int party, int failedProbes);

    [LoggerMessage(EventId = 3003, EventName = "NodeIdentityMismatch", Level = LogLevel.Error,
        Message = "node {NodeId} (party {Party}) answers with other keys than the cluster file gives; it is not used")]
    public static partial void NodeImpostor(ILogger logger, string nodeId, int party);

    [LoggerMessage(EventId = 3101, EventName = "ProtocolRunFailed", Level = LogLevel.Warning,
        Message = "{Protocol} run {SessionId} for key {KeyId} failed: culprits {Culprits}; unresponsive {Unresponsive}; refusing {Refusing}")]
    public static partial void RunFailed(ILogger logger, string protocol, string sessionId, string keyId, string culprits, string unresponsive, string refusing);

    [LoggerMessage(EventId = 3102, EventName = "SignFailed", Level = LogLevel.Warning,
        Message = "signing with key {KeyId} failed: {Reason}; culprits {Culprits}; not signing {Silent}")]
    public static partial void SignFailed(ILogger logger, string keyId, string reason, string culprits, string silent);

    [LoggerMessage(EventId = 3103, EventName = "SignHedged", Level = LogLevel.Information,
        Message = "sign with key {KeyId}: {Slow} slow to sign; asked another signer set")]
    public static partial void SignHedged(ILogger logger, string keyId, string slow);

    /// <summary>Logs a failed protocol run: who was named (node and check, not the evidence), who went silent, who refused.</summary>
    public static void Run(ILogger logger, string protocol, ProtocolOutcome outcome, string keyId)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            var sessionId = outcome.Steps.Values.Select(s => Convert.ToHexStringLower(s.SessionId.Span)).FirstOrDefault() ?? "(not started)";
            RunFailed(
                logger,
                protocol,
                sessionId,
                keyId,
                outcome.Culprits.Count == 0 ? "none" : string.Join(", ", outcome.Culprits.Select(c => $"{c.NodeId} ({c.Check}, named by {string.Join("+", c.NamedBy)})")),
                outcome.Unresponsive.Count == 0 ? "none" : string.Join(", ", outcome.Unresponsive),
                outcome.Refusing.Count == 0 ? "none" : string.Join(", ", outcome.Refusing));
        }
    }
}

/// <summary>What a failed run reports to the wallet.</summary>
internal static class OperationFailures
{
    /// <summary>A failure for <paramref name="reason"/> with what <paramref name="outcome"/> reported.</summary>
    public static OperationFailure From(string reason, ProtocolOutcome outcome) => Add(new OperationFailure { Reason = reason }, outcome);

    /// <summary>Adds what a failed run reported (culprits, unresponsive, refusing) to <paramref name="failure"/>.</summary>
    public static OperationFailure Add(OperationFailure failure, ProtocolOutcome outcome)
    {
        failure.Culprits.AddRange(outcome.Culprits);
        failure.UnresponsiveNodes.AddRange(outcome.Unresponsive);
        failure.RefusingNodes.AddRange(outcome.Refusing);
        return failure;
    }
}
