using System.Security.Cryptography;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>The check codes key generation blames with.</summary>
public static class KeygenChecks
{
    /// <summary>A round-2 decommitment that does not open the round-1 commitment V_j.</summary>
    public const string Decommitment = "keygen.decommitment";

    /// <summary>A share σ_ji with σ_ji·G ≠ Σ_k F_j,k·i^k.</summary>
    public const string Share = "keygen.share";

    /// <summary>A Πsch whose commitment is not the A_j committed in round 1.</summary>
    public const string SchnorrCommitment = "keygen.schnorr-commitment";

    /// <summary>A Πsch for x_j that does not verify.</summary>
    public const string Schnorr = "keygen.schnorr";
}

/// <summary>
/// Re-checks accusations from other parties' complaints against the signed evidence. Checks that need
/// the joint values (rid, X_j) use this party's own, which echo broadcast guarantees every honest
/// party shares; before this party has them it cannot tell.
/// </summary>
internal sealed class KeygenJudge(KeygenConfig config) : IBlameJudge
{
    /// <summary>The joint rid and public shares, once this party has computed them.</summary>
    public (byte[] Rid, IReadOnlyDictionary<int, Point> PublicShares, IReadOnlyDictionary<int, Dealing> Dealings)? Joint { get; set; }

    public bool? Confirms(Culprit accusation, int accuser)
    {
        var e = accusation.Evidence;
        var culprit = accusation.Party;
        try
        {
            switch (accusation.Check)
            {
                case KeygenChecks.Decommitment when e.Count == 2 && From(e, culprit, (1, true), (2, true)):
                    var hash = WireCodec.Parse(Wire.KeygenCommitment.Parser, e[0].Payload, "commitment").Hash.ToByteArray();
                    return !CryptographicOperations.FixedTimeEquals(hash, Keygen.Commitment(config, culprit, Dealing.Decode(config, e[1].Payload)));
                case KeygenChecks.Share when e.Count == 2 && From(e, culprit, (2, true), (2, false)) && e[1].Recipient == accuser:
                    var dealing = Dealing.Decode(config, e[0].Payload);
                    var share = Scalar.Decode(config.Curve, WireCodec.Parse(Wire.KeygenShare.Parser, e[1].Payload, "share").Share.Span);
                    return !Point.MultiplyGenerator(share).Equals(Polynomial.EvaluateCommitments(dealing.Coefficients, accuser));
                case KeygenChecks.SchnorrCommitment when e.Count == 1 && From(e, culprit, (3, true)) && Joint is { } joint:
                    return !ProofOf(e[0]).A.Equals(joint.Dealings[culprit].SchnorrCommitment);
                case KeygenChecks.Schnorr when e.Count == 1 && From(e, culprit, (3, true)) && Joint is { } joint:
                    var context = Keygen.ProofContext(config, joint.Rid, culprit);
                    return !SchnorrProof.Verify(context, new SchnorrProof.Statement(joint.PublicShares[culprit]), ProofOf(e[0])).IsValid;
                case Checks.Malformed when e.Count == 1 && e[0].Sender == culprit:
                    return !Decodes(e[0]);
                case KeygenChecks.Decommitment or KeygenChecks.Share or Checks.Malformed:
                    return false;
                default:
                    return null;
            }
        }
        catch (DecodingException)
        {
            // Evidence that does not even decode proves nothing against the accused.
            return false;
        }
    }

    private SchnorrProof.Proof ProofOf(RoundMessage m) =>
        SchnorrProof.Proof.Decode(config.Curve, WireCodec.Parse(Wire.KeygenProof.Parser, m.Payload, "proof").Proof.Span);

    private bool Decodes(RoundMessage m)
    {
        try
        {
            switch (m.Round, m.IsBroadcast)
            {
                case (1, true):
                    return WireCodec.Parse(Wire.KeygenCommitment.Parser, m.Payload, "commitment").Hash.Length == 32;
                case (2, true):
                    Dealing.Decode(config, m.Payload);
                    return true;
                case (2, false):
                    Scalar.Decode(config.Curve, WireCodec.Parse(Wire.KeygenShare.Parser, m.Payload, "share").Share.Span);
                    return true;
                case (3, true):
                    ProofOf(m);
                    return true;
                default:
                    return false;
            }
        }
        catch (DecodingException)
        {
            return false;
        }
    }

    private static bool From(IReadOnlyList<RoundMessage> evidence, int sender, params (int Round, bool Broadcast)[] shape) =>
        evidence.Count == shape.Length
        && evidence.Zip(shape).All(x => x.First.Sender == sender && x.First.Round == x.Second.Round && x.First.IsBroadcast == x.Second.Broadcast);
}
