using System.Collections.Concurrent;
using System.Numerics;
using Google.Protobuf;
using Threshold.Curves;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.Presigning;

/// <summary>
/// Checks every Γ_j with its two Πaff-g and Πlog*, decrypts the affine operations addressed here
/// (refusing plaintexts outside the honest range, with the decryption as proof), and computes
/// δ_i, χ_i and Δ_i = k_i·Γ.
/// </summary>
internal sealed class PresignRound2(PresignState state) : Round<Presignature>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<Presignature> Finish(RoundInbox inbox)
    {
        var verify = state.Verification;
        var aux = state.Aux;
        inbox.DecodeAll(broadcast: true, PresignChecks.Malformed, (j, _, view) => verify.Gamma(view, j));
        inbox.DecodeAll(broadcast: false, PresignChecks.Malformed, (j, _, view) => verify.Affine(view, j, state.Self));

        // Πaff-g only bounds the additive term by 2^(ℓ'+ε); an honest one is within 2^(ℓ'+1). A larger one
        // would push this party's δ_i, χ_i beyond what identification can prove, so it is refused here,
        // and the decryption (plaintext and nonce) is disclosed as proof.
        var plaintexts = new ConcurrentDictionary<int, (BigInteger Alpha, BigInteger AlphaHat)>();
        inbox.CheckAll(inbox.Others, (j, view) =>
        {
            if (verify.CheckAffine(view, j, state.Self, aux.RingPedersen, aux.PaillierKey) is { } failed)
            {
                return failed;
            }

            var decrypted = verify.Decrypt(view, j, state.Self, aux.PaillierKey, out var outOfRange);
            if (decrypted is { } values)
            {
                plaintexts[j] = values;
            }

            return outOfRange;
        });
        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<Presignature>();
        }

        var history = inbox.View(state.Self);
        var gamma = verify.GammaSum(history);
        // δ_i = γ_i·k_i + Σ (α_ij + β_ij) and χ_i = x_i·k_i + Σ (α̂_ij + β̂_ij) mod q: products and sums in
        // constant time; δ_i is published, χ_i stays secret.
        Scalar delta;
        using (var deltaShare = SumOfShares(state.Gamma.Multiply(state.K), plaintexts.Select(e => e.Value.Alpha + state.Sent[e.Key].Gamma.Beta.Value)))
        {
            delta = deltaShare.Reveal();
        }

        state.Chi = SumOfShares(state.X.Multiply(state.K), plaintexts.Select(e => e.Value.AlphaHat + state.Sent[e.Key].X.Beta.Value));
        var bigDelta = gamma.Multiply(state.K);
        delta = state.Faults?.Delta?.Invoke(delta) ?? delta;
        using var witness = new KnowledgeOfExponentVsEncryptionProof.Witness(state.K, state.Rho.Value);
        var direct = state.ForEachOther("log", (j, rng) =>
        {
            var statement = new KnowledgeOfExponentVsEncryptionProof.Statement(state.Level, state.Setup.Setups[j], state.OwnKey, state.OwnK, bigDelta, gamma);
            var proof = KnowledgeOfExponentVsEncryptionProof.Prove(state.Context(state.Self), statement, witness, rng, aux.PaillierKey);
            return new Wire.PresignLogProof { Proof = ByteString.CopyFrom(proof.Encode()) }.ToByteArray();
        });
        var broadcast = new Wire.PresignDelta { Delta = WireCodec.Scalar(delta), BigDelta = WireCodec.Point(bigDelta) }.ToByteArray();
        return new RoundOutcome<Presignature>.Next(new PresignRound3(state), new Outgoing { Broadcast = broadcast, Direct = direct });
    }

    /// <summary>
    /// <paramref name="product"/> + Σ terms mod q, consuming <paramref name="product"/>. The additions run in
    /// constant time; each term (a Paillier plaintext plus a mask, wider than q) is reduced by BigInteger first.
    /// </summary>
    private static SecretScalar SumOfShares(SecretScalar product, IEnumerable<BigInteger> terms)
    {
        var sum = product;
        try
        {
            foreach (var term in terms)
            {
                using var reduced = SecretScalar.FromValue(sum.Curve, term);
                var next = sum.Add(reduced);
                sum.Dispose();
                sum = next;
            }

            return sum;
        }
        catch
        {
            sum.Dispose();
            throw;
        }
    }

    public override void Discard() => state.Discard();
}
