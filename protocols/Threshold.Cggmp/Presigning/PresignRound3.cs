using Google.Protobuf;
using Threshold.Curves;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.Presigning;

/// <summary>
/// Checks every (δ_j, Δ_j) with Πlog* (K_j vs Δ_j, base Γ), then δ·G = Σ Δ_j: if it holds, sets
/// R = δ⁻¹·Γ and publishes S_i = χ_i·R; if not, moves to the identification round.
/// </summary>
internal sealed class PresignRound3(PresignState state, Point gamma, Point ownBigDelta, SecretScalar chi) : Round<Presignature>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<Presignature> Finish(RoundInbox inbox)
    {
        var aux = state.Aux;
        var deltas = inbox.DecodeAll(broadcast: true, (_, payload) =>
        {
            var m = WireCodec.Parse(Wire.PresignDelta.Parser, payload, "presign delta");
            return (Delta: WireCodec.DecodeScalar(state.Curve, m.Delta, "δ_j"), BigDelta: WireCodec.DecodePoint(state.Curve, m.BigDelta, "Δ_j"));
        });
        var statements = deltas.ToDictionary(e => e.Key, e =>
            new KnowledgeOfExponentVsEncryptionProof.Statement(state.Level, aux.RingPedersen.Parameters, aux.PaillierKeys[e.Key], state.Ciphertexts[e.Key].K, e.Value.BigDelta, gamma));
        var proofs = inbox.DecodeAll(broadcast: false, (j, payload) => statements.TryGetValue(j, out var statement)
            ? KnowledgeOfExponentVsEncryptionProof.Proof.Decode(statement, WireCodec.Parse(Wire.PresignLogProof.Parser, payload, "Πlog*").Proof.Span)
            : null);
        var toVerify = proofs.Where(e => e.Value is not null).Select(e => e.Key).ToList();
        var verdicts = ParallelVerification.VerifyAll([.. toVerify.Select<int, Func<Verdict>>(j => () =>
            KnowledgeOfExponentVsEncryptionProof.Verify(state.Context(j), statements[j], proofs[j]!, aux.RingPedersen))]);
        for (var n = 0; n < toVerify.Count; n++)
        {
            if (!verdicts[n].IsValid)
            {
                var j = toVerify[n];
                inbox.Blame(j, PresignChecks.LogK, $"Πlog* for K_j vs Δ_j failed ({verdicts[n].FailedCheck})", inbox.BroadcastFrom(j), inbox.DirectFrom(j));
            }
        }

        if (inbox.HasCulprits)
        {
            chi.Dispose();
            state.Discard();
            return inbox.Fail<Presignature>();
        }

        foreach (var (j, d) in deltas)
        {
            state.Deltas[j] = d.Delta;
        }

        var delta = state.Deltas.Values.Aggregate((a, b) => a + b);
        var sumBigDelta = deltas.Values.Aggregate(ownBigDelta, (acc, d) => acc + d.BigDelta);
        if (delta.IsZero || !Point.MultiplyGenerator(delta).Equals(sumBigDelta))
        {
            // Every proof so far verified, yet some δ_j is not what it should be: find out whose.
            state.Judge.Identification = (IdentificationTarget.Delta, gamma, null);
            var identification = PresignIdentification.Prove(state, IdentificationTarget.Delta, chi);
            chi.Dispose();
            return new RoundOutcome<Presignature>.Next(new PresignIdentificationRound(state, IdentificationTarget.Delta, gamma, null), identification);
        }

        var inverse = delta.Invert();
        var r = inverse * gamma;
        var rBar = deltas.ToDictionary(e => e.Key, e => inverse * e.Value.BigDelta);
        rBar[state.Self] = inverse * ownBigDelta;
        var s = chi.Value * r;
        s = state.Faults?.ChiCommitment?.Invoke(s) ?? s;
        var broadcast = new Wire.PresignChiCommitment { S = WireCodec.Point(s) }.ToByteArray();
        return new RoundOutcome<Presignature>.Next(new PresignRound4(state, r, rBar, s, chi), new Outgoing { Broadcast = broadcast });
    }
}
