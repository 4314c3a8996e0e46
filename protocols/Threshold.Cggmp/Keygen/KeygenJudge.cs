using System.Security.Cryptography;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>The check codes key generation blames with.</summary>
public static class KeygenChecks
{
    /// <summary>A payload that does not decode as its round's message.</summary>
    public const string Malformed = "keygen.malformed";

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
/// Every check of key generation, written once against a <see cref="MessageView"/>: the rounds run
/// them on their own history, the judge on an accusation's evidence. Values another party broadcast
/// (the dealings that make rid and X_j) are read through the view, so a judge takes them as the
/// accused echoed them.
/// </summary>
internal static class KeygenVerification
{
    /// <summary>Which messages each round has: commitments, then openings and shares, then proofs, then the confirmation.</summary>
    public static RoundShape Shape(int round) => round switch
    {
        1 => new RoundShape(true, false),
        2 => new RoundShape(true, true),
        3 => new RoundShape(true, false),
        4 => RoundShape.Confirm,
        _ => RoundShape.None,
    };

    /// <summary>V_j from j's round-1 broadcast.</summary>
    public static byte[] Commitment(MessageView view, int j)
    {
        var m = WireCodec.Parse(Wire.KeygenCommitment.Parser, view.Broadcast(1, j).Payload, "keygen commitment");
        return m.Hash.Length == 32 ? m.Hash.ToByteArray() : throw new DecodingException(DecodingError.Malformed, "keygen commitment");
    }

    /// <summary>j's dealing from its round-2 broadcast.</summary>
    public static Dealing Dealing(KeygenConfig config, MessageView view, int j) => KeyGeneration.Dealing.Decode(config, view.Broadcast(2, j).Payload);

    /// <summary>σ_j,recipient from j's round-2 message to <paramref name="recipient"/>.</summary>
    public static SecretScalar Share(KeygenConfig config, MessageView view, int j, int recipient) =>
        SecretScalar.Decode(config.Curve, WireCodec.Parse(Wire.KeygenShare.Parser, view.Direct(2, j, recipient).Payload, "keygen share").Share.Span, "keygen share");

    /// <summary>Πsch from j's round-3 broadcast.</summary>
    public static SchnorrProof.Proof Proof(KeygenConfig config, MessageView view, int j) =>
        SchnorrProof.Proof.Decode(config.Curve, WireCodec.Parse(Wire.KeygenProof.Parser, view.Broadcast(3, j).Payload, "keygen proof").Proof.Span);

    /// <summary>Round 2: does j's opening open V_j, and does the share it sent <paramref name="verifier"/> fit its Feldman commitments?</summary>
    public static CheckFailure? CheckDealing(KeygenConfig config, MessageView view, int j, int verifier)
    {
        var dealing = Dealing(config, view, j);
        if (!CryptographicOperations.FixedTimeEquals(Keygen.Commitment(config, j, dealing), Commitment(view, j)))
        {
            return new(KeygenChecks.Decommitment, "decommitment does not open its round-1 commitment");
        }

        // σ_j,verifier is the verifier's secret share until an accusation discloses it: constant-time path.
        using var share = Share(config, view, j, verifier);
        return Point.MultiplyGenerator(share).Equals(Polynomial.EvaluateCommitments(dealing.Coefficients, verifier))
            ? null
            : new(KeygenChecks.Share, "share inconsistent with the dealer's Feldman commitments");
    }

    /// <summary>rid = ⊕ rid_m, every X_m and the public key, from every party's opening as read through <paramref name="view"/>.</summary>
    public static (byte[] Rid, Dictionary<int, Point> PublicShares, Point PublicKey) Joint(KeygenConfig config, MessageView view)
    {
        var dealings = config.Parties.Select(m => Dealing(config, view, m)).ToList();
        var rid = new byte[Keygen.RandomLength];
        foreach (var dealing in dealings)
        {
            for (var b = 0; b < rid.Length; b++)
            {
                rid[b] ^= dealing.Rid[b];
            }
        }

        // The joint polynomial's commitments C_k = Σ_m F_m,k give every X_p = Σ_k C_k·p^k.
        var joint = Enumerable.Range(0, config.Threshold).Select(k => dealings.Select(d => d.Coefficients[k]).Aggregate((a, b) => a + b)).ToList();
        var shares = config.Parties.ToDictionary(p => p, p => Polynomial.EvaluateCommitments(joint, p));
        if (config.RefreshedShares is { } old)
        {
            return (rid, shares.ToDictionary(e => e.Key, e => e.Value + old[e.Key]), config.RefreshedKey!);
        }

        return (rid, shares, joint[0]);
    }

    /// <summary>Round 3: is j's Πsch made with the A_j it committed to, and does it prove x_j for X_j?</summary>
    public static CheckFailure? CheckProof(KeygenConfig config, MessageView view, int j)
    {
        var proof = Proof(config, view, j);
        if (!proof.A.Equals(Dealing(config, view, j).SchnorrCommitment))
        {
            return new(KeygenChecks.SchnorrCommitment, "Πsch commitment differs from the one committed in round 1");
        }

        var (rid, shares, _) = Joint(config, view);
        var verdict = SchnorrProof.Verify(Keygen.ProofContext(config, rid, j), new SchnorrProof.Statement(shares[j]), proof);
        return verdict.IsValid ? null : new CheckFailure(KeygenChecks.Schnorr, $"Πsch for its share failed ({verdict.FailedCheck})");
    }

    /// <summary>Decodes a message as its slot's payload (a confirmation and abort notice have none to decode).</summary>
    public static void Decode(KeygenConfig config, MessageView view, RoundMessage m)
    {
        switch (m.Round, m.IsBroadcast)
        {
            case (1, true):
                Commitment(view, m.Sender);
                break;
            case (2, true):
                Dealing(config, view, m.Sender);
                break;
            case (2, false):
                Share(config, view, m.Sender, m.Recipient!.Value).Dispose();
                break;
            case (3, true):
                Proof(config, view, m.Sender);
                break;
            default:
                throw new EvidenceException("no payload to decode in this slot");
        }
    }
}

/// <summary>Re-runs key generation's checks on an accusation's evidence (for the parties, the aggregator and anyone else).</summary>
internal sealed class KeygenJudge(KeygenConfig config) : IBlameJudge
{
    public RoundShape Shape(int round, MessageView view) => KeygenVerification.Shape(round);

    public bool Confirms(Culprit accusation, int accuser, MessageView view)
    {
        var j = accusation.Party;
        switch (accusation.Check)
        {
            case KeygenChecks.Malformed:
                var m = accusation.Evidence[0];
                if (m.Sender != j || m.Kind != MessageKind.Round || m.Recipient is { } r && r != accuser)
                {
                    return false;
                }

                try
                {
                    KeygenVerification.Decode(config, view, m);
                    return false;
                }
                catch (DecodingException)
                {
                    return true;
                }

            case KeygenChecks.Decommitment or KeygenChecks.Share:
                return KeygenVerification.CheckDealing(config, view, j, accuser) is { } dealing && dealing.Check == accusation.Check;
            case KeygenChecks.SchnorrCommitment or KeygenChecks.Schnorr:
                return KeygenVerification.CheckProof(config, view, j) is { } proof && proof.Check == accusation.Check;
            default:
                return false;
        }
    }
}
