using Threshold.Paillier;
using Threshold.Rounds;

namespace Threshold.Cggmp.Auxiliary;

/// <summary>Verifies every party's Πmod and the Πfac it addressed here (in parallel), then outputs the aux info.</summary>
internal sealed class AuxInfoRound3(
    AuxInfoState state,
    IReadOnlyDictionary<int, Provision> provisions,
    IReadOnlyDictionary<int, PaillierPublicKey> keys) : Round<AuxInfo>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<AuxInfo> Finish(RoundInbox inbox)
    {
        var config = state.Config;
        inbox.DecodeAll(broadcast: true, AuxInfoChecks.Malformed, (j, _, view) => AuxInfoVerification.Modulus(config, view, j));
        inbox.DecodeAll(broadcast: false, AuxInfoChecks.Malformed, (j, _, view) => AuxInfoVerification.Factors(config, view, j, state.Self));
        inbox.CheckAll(inbox.Others, (j, view) =>
            AuxInfoVerification.CheckModulus(config, view, j) ?? AuxInfoVerification.CheckFactors(config, view, j, state.Self, state.RingPedersen));
        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<AuxInfo>();
        }

        var setups = provisions.ToDictionary(e => e.Key, e => e.Value.Setup);
        return new RoundOutcome<AuxInfo>.Done(new AuxInfo(config.Level, state.Self, state.Key, state.RingPedersen, keys, setups));
    }

    public override void Discard() => state.Discard();
}
