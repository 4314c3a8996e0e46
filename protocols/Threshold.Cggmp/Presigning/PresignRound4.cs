using Threshold.Curves;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.Presigning;

/// <summary>Collects every S_j = χ_j·R, checks Σ S_j = X, and outputs the presignature.</summary>
internal sealed class PresignRound4(
    PresignState state,
    Point r,
    IReadOnlyDictionary<int, Point> rBar,
    Point ownS,
    SecretScalar chi) : Round<Presignature>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<Presignature> Finish(RoundInbox inbox)
    {
        var commitments = inbox.DecodeAll(broadcast: true, (_, payload) =>
            WireCodec.DecodePoint(state.Curve, WireCodec.Parse(Wire.PresignChiCommitment.Parser, payload, "S_j").S, "S_j"));
        if (inbox.HasCulprits)
        {
            Discard();
            return inbox.Fail<Presignature>();
        }

        var s = new Dictionary<int, Point>(commitments) { [state.Self] = ownS };
        if (!s.Values.Aggregate((a, b) => a + b).Equals(state.PublicKey))
        {
            // Σ χ_j = k·x, so Σ S_j = X for honest signers; naming the one whose S_j is off takes the
            // χ identification round (Πmul*, Πdec), which is not part of this slice.
            Discard();
            return new RoundOutcome<Presignature>.Failed([]);
        }

        var presignature = new Presignature(
            state.Self,
            state.SessionId,
            new PresignatureCommitments(state.Curve, state.PublicKey, r, rBar, s),
            new SecretScalar(state.K.Value),
            new SecretScalar(chi.Value));
        Discard();
        return new RoundOutcome<Presignature>.Done(presignature);
    }

    private void Discard()
    {
        chi.Dispose();
        state.Discard();
    }
}
