using Google.Protobuf;
using Threshold.Cggmp.Shares;
using Threshold.Proofs;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.KeyGeneration;

/// <summary>
/// Checks every dealing against its round-1 commitment and every received share against the dealer's
/// Feldman commitments (σ_ji·G = Σ_k F_j,k·i^k), blaming each dealer that fails; then computes the
/// share x_i = Σ_j σ_ji, all public shares and the group key, and proves knowledge of x_i.
/// </summary>
internal sealed class KeygenRound2(KeygenState state, SecretScalar ownShare) : Round<KeyShare>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<KeyShare> Finish(RoundInbox inbox)
    {
        var config = state.Config;
        inbox.DecodeAll(broadcast: true, KeygenChecks.Malformed, (j, _, view) => KeygenVerification.Dealing(config, view, j));
        var shares = inbox.DecodeAll(broadcast: false, KeygenChecks.Malformed, (j, _, view) => KeygenVerification.Share(config, view, j, state.Self));
        SecretScalar secret;
        try
        {
            inbox.CheckAll(inbox.Others, (j, view) => KeygenVerification.CheckDealing(config, view, j, state.Self));
            if (inbox.HasCulprits)
            {
                Discard();
                return inbox.Fail<KeyShare>();
            }

            // x_i = Σ_j σ_ji (plus the old share in a refresh, which adds a sharing of zero).
            // The sum runs in constant time (SecretScalar.Add); each step's holder is wiped when replaced.
            secret = ownShare.Add(Curves.Scalar.Zero(ownShare.Curve));
            foreach (var s in shares.Values)
            {
                var added = secret.Add(s);
                secret.Dispose();
                secret = added;
            }
        }
        finally
        {
            // The received shares σ_ji are wiped on every path, the abort included.
            foreach (var s in shares.Values)
            {
                s.Dispose();
            }
        }

        if (state.Previous is { } previous)
        {
            var refreshed = secret.Add(previous.Share);
            secret.Dispose();
            secret = refreshed;
        }

        ownShare.Dispose();
        var (rid, publicShares, publicKey) = KeygenVerification.Joint(config, inbox.View(state.Self));
        var proof = SchnorrProof.Prove(
            Keygen.ProofContext(config, rid, state.Self),
            new SchnorrProof.Statement(publicShares[state.Self]),
            new SchnorrProof.Witness(secret),
            state.Schnorr);
        var message = new Wire.KeygenProof { Proof = ByteString.CopyFrom(proof.Encode()) }.ToByteArray();
        var next = new KeygenRound3(state, publicShares, publicKey, rid, secret);
        return new RoundOutcome<KeyShare>.Next(next, new Outgoing { Broadcast = message });
    }

    public override void Discard()
    {
        ownShare.Dispose();
        state.Discard();
    }
}
