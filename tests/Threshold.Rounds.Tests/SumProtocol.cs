using System.Buffers.Binary;
using Threshold.Rounds.Signing;

namespace Threshold.Rounds.Tests;

/// <summary>
/// A toy two-round protocol for testing the framework: round 1 broadcasts v_i; round 2 sends v_i·j to
/// each j directly (and, optionally, broadcasts v_i again). The result is Σ v_j + Σ v_j·self; a direct
/// value inconsistent with the sender's broadcast is blamed.
/// </summary>
internal static class SumProtocol
{
    public const string Name = "threshold.test.sum";

    public const string Inconsistent = "sum.inconsistent";

    public static byte[] Encode(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    public static long Decode(byte[] payload) =>
        payload.Length == 8 ? BinaryPrimitives.ReadInt64BigEndian(payload) : throw new DecodingException(DecodingError.Malformed, "sum value");

    public static (List<Party<long>> Parties, IReadOnlyList<IMessageSigner> Signers) Create(int n, bool finalBroadcast = false, bool echoFinal = true)
    {
        var (signers, directory) = EcdsaPartyKeys.Generate(n);
        var participants = Enumerable.Range(1, n).ToList();
        var parties = participants.Select(i =>
        {
            var session = new PartySession(Name, "sid-1"u8.ToArray(), i, participants, signers[i - 1], directory, new Judge(), echoFinal);
            var value = 10L * i;
            return new Party<long>(session, new First(i, value, finalBroadcast), new Outgoing { Broadcast = Encode(value) });
        }).ToList();
        return (parties, signers);
    }

    /// <summary>Confirms "inconsistent" accusations from the evidence: v_j from the broadcast, v_j·accuser expected.</summary>
    private sealed class Judge : IBlameJudge
    {
        public bool? Confirms(Culprit accusation, int accuser)
        {
            if (accusation.Check != Inconsistent || accusation.Evidence.Count != 2)
            {
                return null;
            }

            var (broadcast, direct) = (accusation.Evidence[0], accusation.Evidence[1]);
            if (broadcast.Sender != accusation.Party || direct.Sender != accusation.Party || direct.Recipient != accuser || broadcast.Round != 1 || direct.Round != 2)
            {
                return false;
            }

            return Decode(direct.Payload) != Decode(broadcast.Payload) * accuser;
        }
    }

    private sealed class First(int self, long value, bool finalBroadcast) : Round<long>
    {
        public override bool ExpectsBroadcast => true;

        public override bool ExpectsDirect => false;

        public override RoundOutcome<long> Finish(RoundInbox inbox)
        {
            var values = inbox.DecodeAll(broadcast: true, (_, payload) => Decode(payload));
            if (inbox.HasCulprits)
            {
                return inbox.Fail<long>();
            }

            var direct = inbox.Others.ToDictionary(j => j, j => Encode(value * j));
            return new RoundOutcome<long>.Next(
                new Second(self, values, inbox.Others.ToDictionary(j => j, inbox.BroadcastFrom), finalBroadcast),
                new Outgoing { Direct = direct, Broadcast = finalBroadcast ? Encode(value) : null });
        }
    }

    private sealed class Second(int self, IReadOnlyDictionary<int, long> values, IReadOnlyDictionary<int, RoundMessage> firstMessages, bool finalBroadcast) : Round<long>
    {
        public override bool ExpectsBroadcast => finalBroadcast;

        public override bool ExpectsDirect => true;

        public override RoundOutcome<long> Finish(RoundInbox inbox)
        {
            var direct = inbox.DecodeAll(broadcast: false, (_, payload) => Decode(payload));
            foreach (var (j, v) in direct)
            {
                if (v != values[j] * self)
                {
                    inbox.Blame(j, Inconsistent, "direct value inconsistent with its broadcast", firstMessages[j], inbox.DirectFrom(j));
                }
            }

            if (inbox.HasCulprits)
            {
                return inbox.Fail<long>();
            }

            return new RoundOutcome<long>.Done(values.Values.Sum() + direct.Values.Sum());
        }
    }
}
