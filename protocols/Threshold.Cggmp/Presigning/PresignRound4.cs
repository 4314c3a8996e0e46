using Threshold.Curves;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.Presigning;

/// <summary>
/// Collects every S_j = χ_j·R and checks Σ S_j = X: then outputs the presignature; otherwise moves to
/// the identification round for χ.
/// </summary>
internal sealed class PresignRound4(PresignState state, Point r) : Round<Presignature>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<Presignature> Finish(RoundInbox inbox)
    {
        var verify = state.Verification;
        inbox.DecodeAll(broadcast: true, PresignChecks.Malformed, (j, _, view) => verify.ChiCommitment(view, j));
        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<Presignature>();
        }

        var history = inbox.View(state.Self);
        if (verify.ChiFails(history))
        {
            // Σ χ_j = k·x, so Σ S_j = X for honest signers: find out whose S_j is off.
            var identification = PresignIdentification.Prove(state, IdentificationTarget.Chi, history);
            return new RoundOutcome<Presignature>.Next(new PresignIdentificationRound(state, IdentificationTarget.Chi), identification);
        }

        var signers = state.Setup.Signers;
        var deltas = signers.ToDictionary(m => m, m => verify.Delta(history, m));
        var inverse = deltas.Values.Select(d => d.Delta).Aggregate((a, b) => a + b).Invert();
        var presignature = new Presignature(
            state.Self,
            state.ChosenId,
            new PresignatureCommitments(
                state.Curve,
                state.Setup.PublicKey,
                r,
                signers.ToDictionary(m => m, m => inverse * deltas[m].BigDelta),
                signers.ToDictionary(m => m, m => verify.ChiCommitment(history, m))),
            new SecretScalar(state.K.Value),
            new SecretScalar(state.Chi!.Value));
        state.Discard();
        return new RoundOutcome<Presignature>.Done(presignature);
    }

    public override void Discard() => state.Discard();
}
