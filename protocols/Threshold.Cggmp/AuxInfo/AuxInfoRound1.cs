using Threshold.Rounds;

namespace Threshold.Cggmp.Auxiliary;

/// <summary>Collects every V_j, then opens this party's provision.</summary>
internal sealed class AuxInfoRound1(AuxInfoState state) : Round<AuxInfo>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<AuxInfo> Finish(RoundInbox inbox)
    {
        inbox.DecodeAll(broadcast: true, AuxInfoChecks.Malformed, (j, _, view) => AuxInfoVerification.Commitment(view, j));
        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<AuxInfo>();
        }

        return new RoundOutcome<AuxInfo>.Next(new AuxInfoRound2(state), new Outgoing { Broadcast = state.Provision.Encode() });
    }

    public override void Discard() => state.Discard();
}
