using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>Verifies every party's Πsch for its share (with the A_j it committed in round 1) and outputs the key share.</summary>
internal sealed class KeygenRound3(
    KeygenState state,
    IReadOnlyDictionary<int, Dealing> dealings,
    IReadOnlyDictionary<int, Point> publicShares,
    Point publicKey,
    byte[] rid,
    SecretScalar secret) : Round<KeyShare>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<KeyShare> Finish(RoundInbox inbox)
    {
        var proofs = inbox.DecodeAll(broadcast: true, (_, payload) =>
            SchnorrProof.Proof.Decode(state.Curve, WireCodec.Parse(Wire.KeygenProof.Parser, payload, "keygen proof").Proof.Span));
        foreach (var (j, proof) in proofs)
        {
            if (!proof.A.Equals(dealings[j].SchnorrCommitment))
            {
                inbox.Blame(j, KeygenChecks.SchnorrCommitment, "Πsch commitment differs from the one committed in round 1", inbox.BroadcastFrom(j));
                continue;
            }

            var verdict = SchnorrProof.Verify(Keygen.ProofContext(state.Config, rid, j), new SchnorrProof.Statement(publicShares[j]), proof);
            if (!verdict.IsValid)
            {
                inbox.Blame(j, KeygenChecks.Schnorr, $"Πsch for its share failed ({verdict.FailedCheck})", inbox.BroadcastFrom(j));
            }
        }

        if (inbox.HasCulprits)
        {
            secret.Dispose();
            return inbox.Fail<KeyShare>();
        }

        var share = new KeyShare(state.Curve, state.Config.Threshold, state.Self, secret, publicShares, publicKey, rid);
        return new RoundOutcome<KeyShare>.Done(share);
    }
}
