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

    public const string Malformed = "sum.malformed";

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
            var session = new PartySession(Name, "sid-1"u8.ToArray(), i, participants, signers[i - 1], directory, new Judge(finalBroadcast, echoFinal), echoFinal);
            var value = 10L * i;
            return new Party<long>(session, new First(i, value, finalBroadcast), new Outgoing { Broadcast = Encode(value) });
        }).ToList();
        return (parties, signers);
    }

    /// <summary>The one check of round 2, as the party runs it and as the judge re-runs it: is v_j·verifier what j sent?</summary>
    public static bool IsConsistent(MessageView view, int j, int verifier) =>
        Decode(view.Direct(2, j, verifier).Payload) == Decode(view.Broadcast(1, j).Payload) * verifier;

    /// <summary>Re-runs the checks on the evidence.</summary>
    private sealed class Judge(bool finalBroadcast, bool echoFinal) : IBlameJudge
    {
        public RoundShape Shape(int round, MessageView view) => round switch
        {
            1 => new RoundShape(true, false),
            2 => new RoundShape(finalBroadcast, true),
            3 when echoFinal => RoundShape.Confirm,
            _ => RoundShape.None,
        };

        public bool Confirms(Culprit accusation, int accuser, MessageView view)
        {
            var first = accusation.Evidence[0];
            return accusation.Check switch
            {
                Inconsistent => !IsConsistent(view, accusation.Party, accuser),
                Malformed => first.Sender == accusation.Party && first.Kind == MessageKind.Round
                    && (first.Round, first.IsBroadcast) is (1, true) or (2, false) && !Decodes(first.Payload),
                _ => false,
            };
        }

        private static bool Decodes(byte[] payload)
        {
            try
            {
                Decode(payload);
                return true;
            }
            catch (DecodingException)
            {
                return false;
            }
        }
    }

    private sealed class First(int self, long value, bool finalBroadcast) : Round<long>
    {
        public override bool ExpectsBroadcast => true;

        public override bool ExpectsDirect => false;

        public override RoundOutcome<long> Finish(RoundInbox inbox)
        {
            var values = inbox.DecodeAll(broadcast: true, Malformed, (_, m, _) => Decode(m.Payload));
            if (inbox.HasCulprits)
            {
                return inbox.Fail<long>();
            }

            var direct = inbox.Others.ToDictionary(j => j, j => Encode(value * j));
            return new RoundOutcome<long>.Next(
                new Second(self, finalBroadcast),
                new Outgoing { Direct = direct, Broadcast = finalBroadcast ? Encode(value) : null });
        }
    }

    private sealed class Second(int self, bool finalBroadcast) : Round<long>
    {
        public override bool ExpectsBroadcast => finalBroadcast;

        public override bool ExpectsDirect => true;

        public override RoundOutcome<long> Finish(RoundInbox inbox)
        {
            var direct = inbox.DecodeAll(broadcast: false, Malformed, (_, m, _) => Decode(m.Payload));
            foreach (var j in direct.Keys)
            {
                var view = inbox.View(j);
                if (!IsConsistent(view, j, self))
                {
                    inbox.Blame(j, Inconsistent, "direct value inconsistent with its broadcast", view);
                }
            }

            if (inbox.HasCulprits)
            {
                return inbox.Fail<long>();
            }

            var values = inbox.Others.Sum(j => Decode(inbox.View(j).Broadcast(1, j).Payload));
            return new RoundOutcome<long>.Done(values + direct.Values.Sum());
        }
    }
}
