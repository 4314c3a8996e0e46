using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>
/// Checks every dealing against its round-1 commitment and every received share against the dealer's
/// Feldman commitments (σ_ji·G = Σ_k F_j,k·i^k), blaming each dealer that fails; then computes the
/// share x_i = Σ_j σ_ji, all public shares and the group key, and proves knowledge of x_i.
/// </summary>
internal sealed class KeygenRound2(
    KeygenState state,
    IReadOnlyDictionary<int, byte[]> commitments,
    IReadOnlyDictionary<int, RoundMessage> round1,
    SecretScalar ownShare) : Round<KeyShare>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<KeyShare> Finish(RoundInbox inbox)
    {
        var config = state.Config;
        var dealings = inbox.DecodeAll(broadcast: true, (_, payload) => Dealing.Decode(config, payload));
        var shares = inbox.DecodeAll(broadcast: false, (_, payload) =>
            Scalar.Decode(state.Curve, WireCodec.Parse(Wire.KeygenShare.Parser, payload, "keygen share").Share.Span, "keygen share"));

        foreach (var (j, dealing) in dealings)
        {
            if (!CryptographicOperations.FixedTimeEquals(Keygen.Commitment(config, j, dealing), commitments[j]))
            {
                inbox.Blame(j, KeygenChecks.Decommitment, "decommitment does not open its round-1 commitment", round1[j], inbox.BroadcastFrom(j));
            }
            else if (shares.TryGetValue(j, out var share)
                && !Point.MultiplyGenerator(share).Equals(Polynomial.EvaluateCommitments(dealing.Coefficients, state.Self)))
            {
                inbox.Blame(j, KeygenChecks.Share, "share inconsistent with the dealer's Feldman commitments", inbox.BroadcastFrom(j), inbox.DirectFrom(j));
            }
        }

        if (inbox.HasCulprits)
        {
            ownShare.Dispose();
            state.Schnorr.Dispose();
            return inbox.Fail<KeyShare>();
        }

        var all = new Dictionary<int, Dealing>(dealings) { [state.Self] = state.Dealing };
        var rid = new byte[Keygen.RandomLength];
        foreach (var dealing in all.Values)
        {
            for (var b = 0; b < rid.Length; b++)
            {
                rid[b] ^= dealing.Rid[b];
            }
        }

        // x_i = Σ_j σ_ji; the joint polynomial's commitments C_k = Σ_j F_j,k give every X_k = Σ_k C_k·k^k'.
        var sum = shares.Values.Aggregate(ownShare.Value, (acc, s) => acc + s);
        if (state.Previous is { } previous)
        {
            sum += previous.Share.Value; // a refresh adds a sharing of zero to the old share
        }

        var secret = new SecretScalar(sum);
        ownShare.Dispose();
        var joint = Enumerable.Range(0, config.Threshold)
            .Select(k => all.Values.Select(d => d.Coefficients[k]).Aggregate((a, b) => a + b))
            .ToList();
        var publicShares = config.Parties.ToDictionary(p => p, p => Polynomial.EvaluateCommitments(joint, p));
        var publicKey = joint[0];
        if (state.Previous is { } old)
        {
            publicShares = publicShares.ToDictionary(e => e.Key, e => e.Value + old.PublicShares[e.Key]);
            publicKey = old.PublicKey;
        }


        var proof = SchnorrProof.Prove(
            Keygen.ProofContext(config, rid, state.Self),
            new SchnorrProof.Statement(publicShares[state.Self]),
            new SchnorrProof.Witness(secret),
            state.Schnorr);
        var message = new Wire.KeygenProof { Proof = ByteString.CopyFrom(proof.Encode()) }.ToByteArray();
        state.Judge.Joint = (rid, publicShares, all);
        var next = new KeygenRound3(state, all, publicShares, publicKey, rid, secret);
        return new RoundOutcome<KeyShare>.Next(next, new Outgoing { Broadcast = message });
    }
}
