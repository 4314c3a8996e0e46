using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Threshold.Cggmp.Presigning;
using Threshold.Contracts;
using Threshold.Contracts.V1;
using Threshold.Rounds;
using Threshold.Rounds.Signing;

namespace Threshold.Aggregator;

/// <summary>
/// Runs presigning among t nodes (CGGMP21 Fig. 7, driven round by round by <see cref="ProtocolDriver"/>)
/// and, when a run fails, leaves out the nodes that made it fail and tries the next t.
/// </summary>
internal sealed class Presigner(AggregatorOptions options, ClusterNodes nodes, ProtocolDriver driver, SignerSelection selection, Func<EcdsaPartyKeys> directory, ILogger logger)
{
    /// <summary>
    /// Presigns with t of <paramref name="candidates"/>; when a run fails, leaves out the nodes that
    /// made it fail (culprits, unresponsive, refusing) and tries the next t, while t are left.
    /// Returns what each failed run reported.
    /// </summary>
    public async Task<(PresignatureInfo? Presignature, OperationFailure Incidents)> PresignAmongAsync(string keyId, IEnumerable<int> candidates, CancellationToken cancellationToken)
    {
        var remaining = candidates.ToHashSet();
        var incidents = new OperationFailure();
        while (remaining.Count >= options.Threshold)
        {
            var signers = selection.Choose(remaining);
            var (made, outcome) = await RunAsync(keyId, signers, cancellationToken).ConfigureAwait(false);
            var failed = selection.Record(signers, outcome, made is not null, nodes.PartyOf);
            if (made is not null)
            {
                return (made, incidents);
            }

            AggregatorLog.Run(logger, "presign", outcome, keyId);
            OperationFailures.Add(incidents, outcome);
            if (!remaining.Overlaps(failed))
            {
                break; // failed for no node's fault: another subset would fail alike
            }

            remaining.ExceptWith(failed);
        }

        return (null, incidents);
    }

    private async Task<(PresignatureInfo? Presignature, ProtocolOutcome Outcome)> RunAsync(string keyId, List<int> signers, CancellationToken cancellationToken)
    {
        var runNodes = signers.ToDictionary(p => p, p => nodes.ByParty[p]);
        var request = new StartProtocolRequest
        {
            Kind = ProtocolKind.Presign,
            SessionId = ByteString.CopyFrom(ProtocolSessionIds.New(options.Time)),
            KeyId = keyId,
            Parties = { signers.Select(p => (uint)p) },
        };
        var sessionId = request.SessionId.ToByteArray();
        var outcome = await driver.RunAsync(runNodes, request, directory(), step => Context(step, sessionId, signers), cancellationToken).ConfigureAwait(false);
        var infos = outcome.Steps.Values.Select(s => s.Presignature).Where(p => p is not null).ToList();
        return (outcome.Completed && infos.Count == signers.Count && infos.All(i => i.Equals(infos[0])) ? infos[0] : null, outcome);
    }

    /// <summary>
    /// The judge of a presigning run from the public setup a node reports (its key's public shares and
    /// aux info). A node cannot pass off another setup: the run's session id is bound to it, so the
    /// signed messages of a run match only the setup their signers used.
    /// </summary>
    private SessionContext? Context(ProtocolStep step, byte[] sessionId, IReadOnlyList<int> signers)
    {
        try
        {
            var setup = PresignSetup.Decode(step.PresignSetup.Span);
            return setup.Signers.SequenceEqual(signers.Order()) ? Presign.Context(setup, sessionId, directory()) : null;
        }
        catch (DecodingException)
        {
            return null;
        }
    }
}
