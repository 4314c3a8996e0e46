using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>Verifies every party's Πsch for its share (with the A_j it committed in round 1) and outputs the key share.</summary>
internal sealed class KeygenRound3(
    KeygenState state,
    IReadOnlyDictionary<int, Point> publicShares,
    Point publicKey,
    byte[] rid,
    SecretScalar secret) : Round<KeyShare>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<KeyShare> Finish(RoundInbox inbox)
    {
        var config = state.Config;
        inbox.DecodeAll(broadcast: true, KeygenChecks.Malformed, (j, _, view) => KeygenVerification.Proof(config, view, j));
        inbox.CheckAll(inbox.Others, (j, view) => KeygenVerification.CheckProof(config, view, j));

        if (inbox.HasCulprits)
        {
            Discard();
            return inbox.Fail<KeyShare>();
        }

        state.Discard();
        return new RoundOutcome<KeyShare>.Done(new KeyShare(state.Curve, config.Threshold, state.Self, secret, publicShares, publicKey, rid));
    }

    public override void Discard()
    {
        secret.Dispose();
        state.Discard();
    }
}
