using Google.Protobuf;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>Collects every V_j, then reveals this party's dealing and sends each party its share.</summary>
internal sealed class KeygenRound1(KeygenState state) : Round<Shares.KeyShare>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<Shares.KeyShare> Finish(RoundInbox inbox)
    {
        inbox.DecodeAll(broadcast: true, KeygenChecks.Malformed, (j, _, view) => KeygenVerification.Commitment(view, j));
        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<Shares.KeyShare>();
        }

        var shares = inbox.Others.ToDictionary(
            j => j,
            j =>
            {
                using var share = state.Polynomial.Evaluate(j);
                return new Wire.KeygenShare { Share = ByteString.CopyFrom(share.Value.Encode()) }.ToByteArray();
            });
        var ownShare = state.Polynomial.Evaluate(state.Self);
        var messages = new Outgoing { Broadcast = state.Dealing.ToWire().ToByteArray(), Direct = shares };
        state.Polynomial.Dispose();
        return new RoundOutcome<Shares.KeyShare>.Next(new KeygenRound2(state, ownShare), messages);
    }

    public override void Discard() => state.Discard();
}
