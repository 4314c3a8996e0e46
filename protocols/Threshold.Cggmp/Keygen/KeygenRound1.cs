using Google.Protobuf;
using Threshold.Cggmp.Shares;
using Threshold.Proofs.Encoding;
using Threshold.Secrets;
using Threshold.Rounds;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>Collects every V_j, then reveals this party's dealing and sends each party its share.</summary>
internal sealed class KeygenRound1(KeygenState state) : Round<KeyShare>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<KeyShare> Finish(RoundInbox inbox)
    {
        var commitments = inbox.DecodeAll(broadcast: true, (_, payload) =>
        {
            var m = WireCodec.Parse(Wire.KeygenCommitment.Parser, payload, "keygen commitment");
            return m.Hash.Length == 32 ? m.Hash.ToByteArray() : throw new DecodingException(DecodingError.Malformed, "keygen commitment");
        });
        if (inbox.HasCulprits)
        {
            state.Polynomial.Dispose();
            state.Schnorr.Dispose();
            return inbox.Fail<KeyShare>();
        }

        var shares = inbox.Others.ToDictionary(
            j => j,
            j => new Wire.KeygenShare { Share = ByteString.CopyFrom(state.Polynomial.Evaluate(j).Encode()) }.ToByteArray());
        var ownShare = new SecretScalar(state.Polynomial.Evaluate(state.Self));
        var messages = new Outgoing { Broadcast = state.Dealing.ToWire().ToByteArray(), Direct = shares };
        var round1 = inbox.Others.ToDictionary(j => j, inbox.BroadcastFrom);
        state.Polynomial.Dispose();
        return new RoundOutcome<KeyShare>.Next(new KeygenRound2(state, commitments, round1, ownShare), messages);
    }
}
