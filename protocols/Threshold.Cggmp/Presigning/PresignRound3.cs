using Google.Protobuf;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;

namespace Threshold.Cggmp.Presigning;

/// <summary>
/// Checks every (δ_j, Δ_j) with Πlog* (K_j vs Δ_j, base Γ), then δ·G = Σ Δ_j: if it holds, sets
/// R = δ⁻¹·Γ and publishes S_i = χ_i·R; if not, moves to the identification round.
/// </summary>
internal sealed class PresignRound3(PresignState state) : Round<Presignature>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<Presignature> Finish(RoundInbox inbox)
    {
        var verify = state.Verification;
        inbox.DecodeAll(broadcast: true, PresignChecks.Malformed, (j, _, view) => verify.Delta(view, j));
        inbox.DecodeAll(broadcast: false, PresignChecks.Malformed, (j, _, view) => verify.LogK(view, j, state.Self));
        inbox.CheckAll(inbox.Others, (j, view) => verify.CheckLogK(view, j, state.Self, state.Aux.RingPedersen));
        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<Presignature>();
        }

        var history = inbox.View(state.Self);
        if (verify.DeltaFails(history))
        {
            // Every proof so far verified, yet some δ_j is not what it should be: find out whose.
            var identification = PresignIdentification.Prove(state, IdentificationTarget.Delta, history);
            return new RoundOutcome<Presignature>.Next(new PresignIdentificationRound(state, IdentificationTarget.Delta), identification);
        }

        var delta = state.Setup.Signers.Select(m => verify.Delta(history, m).Delta).Aggregate((a, b) => a + b);
        var r = delta.Invert() * verify.GammaSum(history);
        var s = r.Multiply(state.Chi!);
        s = state.Faults?.ChiCommitment?.Invoke(s) ?? s;
        var broadcast = new Wire.PresignRound4 { ChiCommitment = new Wire.PresignChiCommitment { S = WireCodec.Point(s) } }.ToByteArray();
        return new RoundOutcome<Presignature>.Next(new PresignRound4(state, r), new Outgoing { Broadcast = broadcast });
    }

    public override void Discard() => state.Discard();
}
