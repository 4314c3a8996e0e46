using Google.Protobuf;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.Presigning;

/// <summary>
/// Checks every Γ_j with its two Πaff-g and Πlog*, decrypts the affine operations addressed here, and
/// computes δ_i, χ_i and Δ_i = k_i·Γ.
/// </summary>
internal sealed class PresignRound2(
    PresignState state,
    IReadOnlyDictionary<int, (PaillierCiphertext K, PaillierCiphertext G)> ciphertexts,
    Point ownGamma,
    IReadOnlyDictionary<int, (SecretBigInteger Beta, SecretBigInteger BetaHat)> masks,
    IReadOnlyDictionary<int, RoundMessage> round1) : Round<Presignature>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<Presignature> Finish(RoundInbox inbox)
    {
        var aux = state.Aux;
        var gammas = inbox.DecodeAll(broadcast: true, (_, payload) =>
            WireCodec.DecodePoint(state.Curve, WireCodec.Parse(Wire.PresignGamma.Parser, payload, "Γ_j").Gamma, "Γ_j"));
        var affine = inbox.DecodeAll(broadcast: false, (j, payload) => gammas.TryGetValue(j, out var gamma) ? Decode(j, gamma, payload) : null);

        var checks = new List<(int Party, string Check, Func<Verdict> Verify)>();
        foreach (var (j, a) in affine.Where(e => e.Value is not null).Select(e => (e.Key, e.Value!)))
        {
            var context = state.Context(j);
            checks.Add((j, PresignChecks.AffineGamma, () => AffineOperationWithGroupCommitmentProof.Verify(context, a.GammaStatement, a.GammaProof, aux.RingPedersen, aux.PaillierKey)));
            checks.Add((j, PresignChecks.AffineX, () => AffineOperationWithGroupCommitmentProof.Verify(context, a.XStatement, a.XProof, aux.RingPedersen, aux.PaillierKey)));
            checks.Add((j, PresignChecks.LogGamma, () => KnowledgeOfExponentVsEncryptionProof.Verify(context, a.LogStatement, a.LogProof, aux.RingPedersen)));
        }

        var verdicts = ParallelVerification.VerifyAll([.. checks.Select(c => c.Verify)]);
        for (var n = 0; n < checks.Count; n++)
        {
            var (j, check, _) = checks[n];
            if (!verdicts[n].IsValid && !inbox.Culprits.Any(c => c.Party == j))
            {
                var evidence = check == PresignChecks.LogGamma ? new[] { round1[j], inbox.BroadcastFrom(j), inbox.DirectFrom(j) } : [inbox.BroadcastFrom(j), inbox.DirectFrom(j)];
                inbox.Blame(j, check, $"{Name(check)} failed ({verdicts[n].FailedCheck})", evidence);
            }
        }

        if (inbox.HasCulprits)
        {
            Discard();
            return inbox.Fail<Presignature>();
        }

        var gamma = gammas.Values.Aggregate(ownGamma, (acc, g) => acc + g);
        state.Judge.Gamma = gamma;
        var curve = state.Curve;
        var key = aux.PaillierKey;
        var delta = state.Gamma.Value * state.K.Value;
        var chi = state.X.Value * state.K.Value;
        foreach (var (j, a) in affine)
        {
            delta += Scalar.FromValue(curve, key.DecryptSigned(a!.GammaStatement.D) + masks[j].Beta.Value);
            chi += Scalar.FromValue(curve, key.DecryptSigned(a.XStatement.D) + masks[j].BetaHat.Value);
        }

        Discard();
        var bigDelta = state.K.Value * gamma;
        using var witness = new KnowledgeOfExponentVsEncryptionProof.Witness(state.K, state.Rho.Value);
        var direct = state.Others.ToDictionary(j => j, j =>
        {
            var statement = new KnowledgeOfExponentVsEncryptionProof.Statement(state.Level, aux.Setups[j], state.OwnKey, state.OwnK, bigDelta, gamma);
            var proof = KnowledgeOfExponentVsEncryptionProof.Prove(state.Context(state.Self), statement, witness, state.Rng, key);
            return new Wire.PresignLogProof { Proof = ByteString.CopyFrom(proof.Encode()) }.ToByteArray();
        });
        var broadcast = new Wire.PresignDelta { Delta = WireCodec.Scalar(delta), BigDelta = WireCodec.Point(bigDelta) }.ToByteArray();
        var next = new PresignRound3(state, ciphertexts, gamma, delta, bigDelta, new SecretScalar(chi));
        return new RoundOutcome<Presignature>.Next(next, new Outgoing { Broadcast = broadcast, Direct = direct });
    }

    private static string Name(string check) => check switch
    {
        PresignChecks.AffineGamma => "Πaff-g for γ_j",
        PresignChecks.AffineX => "Πaff-g for x_j",
        _ => "Πlog* for G_j",
    };

    private void Discard()
    {
        foreach (var (beta, betaHat) in masks.Values)
        {
            beta.Dispose();
            betaHat.Dispose();
        }
    }

    /// <summary>Decodes j's affine message: D, D̂ under this party's key, F, F̂ under j's, and the three proofs.</summary>
    private Affine Decode(int j, Point gamma, byte[] payload)
    {
        var aux = state.Aux;
        var m = WireCodec.Parse(Wire.PresignAffine.Parser, payload, "presign affine");
        var own = state.OwnKey;
        var theirs = aux.PaillierKeys[j];
        var d = Presign.Ciphertext(own, m.D, "D");
        var f = Presign.Ciphertext(theirs, m.F, "F");
        var dHat = Presign.Ciphertext(own, m.DHat, "D̂");
        var fHat = Presign.Ciphertext(theirs, m.FHat, "F̂");
        var setup = aux.RingPedersen.Parameters;
        var gammaStatement = new AffineOperationWithGroupCommitmentProof.Statement(state.Level, setup, own, theirs, state.OwnK, d, f, gamma);
        var xStatement = new AffineOperationWithGroupCommitmentProof.Statement(state.Level, setup, own, theirs, state.OwnK, dHat, fHat, state.PublicX[j]);
        var logStatement = new KnowledgeOfExponentVsEncryptionProof.Statement(state.Level, setup, theirs, ciphertexts[j].G, gamma, state.Curve.Generator);
        return new Affine(
            gammaStatement,
            AffineOperationWithGroupCommitmentProof.Proof.Decode(gammaStatement, m.AffGamma.Span),
            xStatement,
            AffineOperationWithGroupCommitmentProof.Proof.Decode(xStatement, m.AffX.Span),
            logStatement,
            KnowledgeOfExponentVsEncryptionProof.Proof.Decode(logStatement, m.LogGamma.Span));
    }

    private sealed record Affine(
        AffineOperationWithGroupCommitmentProof.Statement GammaStatement,
        AffineOperationWithGroupCommitmentProof.Proof GammaProof,
        AffineOperationWithGroupCommitmentProof.Statement XStatement,
        AffineOperationWithGroupCommitmentProof.Proof XProof,
        KnowledgeOfExponentVsEncryptionProof.Statement LogStatement,
        KnowledgeOfExponentVsEncryptionProof.Proof LogProof);
}
