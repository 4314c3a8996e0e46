using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Signing;
using Threshold.Curves;
using Threshold.Simulator.Reports;

namespace Threshold.Simulator.Engine;

/// <summary>
/// The online signing round: each signer turns its presignature into σ_i for the digest and sends it to
/// the combiner (the lowest-numbered signer), which checks every σ_j against the presignature's public
/// part and combines them. A signer told to send a wrong σ_i adds one to it; one told to withhold sends nothing.
/// </summary>
internal sealed class SignDriver(
    RunContext context,
    int position,
    IReadOnlyDictionary<int, Presignature> presignatures,
    byte[] digest,
    IReadOnlySet<int> wrongSigners,
    IReadOnlySet<int> silentSigners)
    : PhaseDriver(context, position, [.. presignatures.Keys.Order()])
{
    private readonly Dictionary<int, PartialSignature> received = [];
    private readonly Dictionary<int, long> sentBytes = [];
    private SigningFailure? failure;
    private bool combined;

    /// <summary>The node that combines.</summary>
    public int Combiner => Participants[0];

    /// <summary>The signature, once combined.</summary>
    public EcdsaSignature? Signature { get; private set; }

    public override void Start()
    {
        foreach (var i in Participants)
        {
            var (partial, cost) = Context.Compute.Run(() => presignatures[i].Sign(digest));
            if (wrongSigners.Contains(i))
            {
                partial = partial with { Sigma = partial.Sigma + Scalar.One(partial.Sigma.Curve) };
            }

            var done = Context.Occupy(i, cost);
            Context.Record(i, Participants.Count, 0, true, cost, [new Emitted(1, false, partial.Encode().Length)]);
            if (silentSigners.Contains(i))
            {
                continue;
            }

            if (i == Combiner)
            {
                Context.Clock.At(done, () => Take(partial));
            }
            else
            {
                sentBytes[i] = partial.Encode().Length;
                SendAt(done, [new Packet(Position, i, Combiner, (int)sentBytes[i], partial)]);
            }
        }
    }

    public override void Receive(Packet packet) => Take((PartialSignature)packet.Payload);

    public override PhaseReport Report(string phase, double startMs)
    {
        var outcome = TimedOut ? PhaseOutcome.TimedOut : combined ? PhaseOutcome.Completed : PhaseOutcome.Aborted;
        var report = BaseReport(phase, startMs, outcome, 1, p => [sentBytes.GetValueOrDefault(p)]);
        var blames = (failure?.Culprits ?? []).Select(c => new Blame(Combiner, c, "sign.partial-signature", Context.IsHonest(Combiner), Context.IsHonest(c))).ToList();
        var missing = Participants.Where(p => !received.ContainsKey(p)).ToList();
        return report with
        {
            Blames = blames,
            Culprits = [.. blames.Where(b => b.AccuserHonest).Select(b => b.Accused).Order()],
            HonestBlamed = [.. blames.Where(b => b.AccuserHonest && b.AccusedHonest).Select(b => b.Accused).Order()],
            Waiting = TimedOut ? [new WaitingParty(Combiner, 1, missing)] : [],
            Unreachable = TimedOut ? missing : [],
            Note = $"combiner: node {Combiner}",
        };
    }

    private void Take(PartialSignature partial)
    {
        if (Finished || !received.TryAdd(partial.Party, partial) || received.Count < Participants.Count)
        {
            return;
        }

        var commitments = presignatures[Combiner].Commitments;
        var ((ok, signature, why), cost) = Context.Compute.Run(() =>
        {
            var success = SignatureCombiner.TryCombine(commitments, digest, [.. received.Values], out var s, out var f);
            return (success, s, f);
        });
        (combined, Signature, failure) = (ok, signature, why);
        Context.Record(Combiner, Participants.Count, 1, true, cost, []);
        Finished = true;
        EndMs = Context.Occupy(Combiner, cost);
    }
}
