using Threshold.Proofs.Encoding;
using Threshold.Rounds;

namespace Threshold.Cggmp.Auxiliary;

/// <summary>Collects every V_j, then opens this party's provision.</summary>
internal sealed class AuxInfoRound1(AuxInfoState state) : Round<AuxInfo>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<AuxInfo> Finish(RoundInbox inbox)
    {
        var commitments = inbox.DecodeAll(broadcast: true, (_, payload) =>
        {
            var m = WireCodec.Parse(Wire.AuxInfoCommitment.Parser, payload, "aux-info commitment");
            return m.Hash.Length == 32 ? m.Hash.ToByteArray() : throw new DecodingException(DecodingError.Malformed, "aux-info commitment");
        });
        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<AuxInfo>();
        }

        var round1 = inbox.Others.ToDictionary(j => j, inbox.BroadcastFrom);
        return new RoundOutcome<AuxInfo>.Next(new AuxInfoRound2(state, commitments, round1), new Outgoing { Broadcast = state.Provision.Encode() });
    }
}
