using Threshold.Curves;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.Presigning;

/// <summary>
/// Collects every S_j = χ_j·R and checks Σ S_j = X: then outputs the presignature; otherwise moves to
/// the identification round for χ.
/// </summary>
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
            chi.Dispose();
            state.Discard();
            return inbox.Fail<Presignature>();
        }

        var s = new Dictionary<int, Point>(commitments) { [state.Self] = ownS };
        if (!s.Values.Aggregate((a, b) => a + b).Equals(state.PublicKey))
        {
            // Σ χ_j = k·x, so Σ S_j = X for honest signers: find out whose S_j is off.
            state.Judge.Identification = (IdentificationTarget.Chi, r, s);
            var identification = PresignIdentification.Prove(state, IdentificationTarget.Chi, chi);
            chi.Dispose();
            return new RoundOutcome<Presignature>.Next(new PresignIdentificationRound(state, IdentificationTarget.Chi, r, s), identification);
        }

        var presignature = new Presignature(
            state.Self,
            state.SessionId,
            new PresignatureCommitments(state.Curve, state.PublicKey, r, rBar, s),
            new SecretScalar(state.K.Value),
            new SecretScalar(chi.Value));
        chi.Dispose();
        state.Discard();
        return new RoundOutcome<Presignature>.Done(presignature);
    }
}
