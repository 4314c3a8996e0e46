using Google.Protobuf;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.Presigning;

/// <summary>
/// Checks every (K_j, G_j) and Πenc, then performs the affine operations on each K_j: D_{j,i} = γ_i ⊙ K_j
/// ⊕ enc_j(−β_{i,j}) and D̂_{j,i} = x_i ⊙ K_j ⊕ enc_j(−β̂_{i,j}), with Πaff-g for each and Πlog* for G_i.
/// </summary>
internal sealed class PresignRound1(PresignState state) : Round<Presignature>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<Presignature> Finish(RoundInbox inbox)
    {
        var aux = state.Aux;
        var ciphertexts = inbox.DecodeAll(broadcast: true, (j, payload) =>
        {
            var m = WireCodec.Parse(Wire.PresignCiphertexts.Parser, payload, "presign ciphertexts");
            return (K: Presign.Ciphertext(aux.PaillierKeys[j], m.K, "K_j"), G: Presign.Ciphertext(aux.PaillierKeys[j], m.G, "G_j"));
        });
        var statements = ciphertexts.ToDictionary(e => e.Key, e =>
            new PaillierEncryptionInRangeProof.Statement(state.Level, state.Curve, aux.RingPedersen.Parameters, aux.PaillierKeys[e.Key], e.Value.K));
        var proofs = inbox.DecodeAll(broadcast: false, (j, payload) => statements.TryGetValue(j, out var statement)
            ? PaillierEncryptionInRangeProof.Proof.Decode(statement, WireCodec.Parse(Wire.PresignEncProof.Parser, payload, "Πenc").Proof.Span)
            : null);
        var toVerify = proofs.Where(e => e.Value is not null).Select(e => e.Key).ToList();
        var verdicts = ParallelVerification.VerifyAll([.. toVerify.Select<int, Func<Verdict>>(j => () =>
            PaillierEncryptionInRangeProof.Verify(state.Context(j), statements[j], proofs[j]!, aux.RingPedersen))]);
        for (var n = 0; n < toVerify.Count; n++)
        {
            if (!verdicts[n].IsValid)
            {
                var j = toVerify[n];
                inbox.Blame(j, PresignChecks.Encryption, $"Πenc for K_j failed ({verdicts[n].FailedCheck})", inbox.BroadcastFrom(j), inbox.DirectFrom(j));
            }
        }

        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<Presignature>();
        }

        foreach (var (j, c) in ciphertexts)
        {
            state.Judge.Ciphertexts[j] = c;
        }

        var gammaPoint = Point.MultiplyGenerator(state.Gamma);
        var masks = new Dictionary<int, (SecretBigInteger Beta, SecretBigInteger BetaHat)>();
        var direct = new Dictionary<int, byte[]>();
        foreach (var j in state.Others)
        {
            var (message, beta, betaHat) = Affine(j, ciphertexts[j].K, gammaPoint);
            masks[j] = (beta, betaHat);
            direct[j] = message;
        }

        var round1 = inbox.Others.ToDictionary(j => j, inbox.BroadcastFrom);
        var broadcast = new Wire.PresignGamma { Gamma = WireCodec.Point(gammaPoint) }.ToByteArray();
        var next = new PresignRound2(state, ciphertexts, gammaPoint, masks, round1);
        return new RoundOutcome<Presignature>.Next(next, new Outgoing { Broadcast = broadcast, Direct = direct });
    }

    /// <summary>The two affine operations on K_j with their proofs, and Πlog* for G_i, all for party j.</summary>
    private (byte[] Message, SecretBigInteger Beta, SecretBigInteger BetaHat) Affine(int j, PaillierCiphertext kj, Point gammaPoint)
    {
        var aux = state.Aux;
        var theirs = aux.PaillierKeys[j];
        var level = state.Level;
        var beta = new SecretBigInteger(Threshold.Arithmetic.Sampling.Signed(state.Rng, level.EllPrime));
        var betaHat = new SecretBigInteger(Threshold.Arithmetic.Sampling.Signed(state.Rng, level.EllPrime));
        var (d, f, affGamma) = Operation(j, theirs, kj, state.Gamma, gammaPoint, beta);
        var (dHat, fHat, affX) = Operation(j, theirs, kj, state.X, state.PublicX[state.Self], betaHat);

        using var logWitness = new KnowledgeOfExponentVsEncryptionProof.Witness(state.Gamma, state.Nu.Value);
        var logStatement = new KnowledgeOfExponentVsEncryptionProof.Statement(level, aux.Setups[j], state.OwnKey, state.OwnG, gammaPoint, state.Curve.Generator);
        var log = KnowledgeOfExponentVsEncryptionProof.Prove(state.Context(state.Self), logStatement, logWitness, state.Rng, aux.PaillierKey);

        var message = new Wire.PresignAffine
        {
            D = WireCodec.Unsigned(d.Value),
            F = WireCodec.Unsigned(f.Value),
            DHat = WireCodec.Unsigned(dHat.Value),
            FHat = WireCodec.Unsigned(fHat.Value),
            AffGamma = ByteString.CopyFrom(affGamma.Encode()),
            AffX = ByteString.CopyFrom(affX.Encode()),
            LogGamma = ByteString.CopyFrom(log.Encode()),
        }.ToByteArray();
        return (message, beta, betaHat);
    }

    /// <summary>D = x ⊙ K_j ⊕ enc_j(−β; s), F = enc_i(−β; r), and Πaff-g for them against R_j.</summary>
    private (PaillierCiphertext D, PaillierCiphertext F, AffineOperationWithGroupCommitmentProof.Proof Proof) Operation(
        int j, PaillierPublicKey theirs, PaillierCiphertext kj, SecretScalar x, Point xPoint, SecretBigInteger beta)
    {
        var aux = state.Aux;
        var s = theirs.SampleNonce(state.Rng);
        var r = state.OwnKey.SampleNonce(state.Rng);
        var d = theirs.Add(theirs.MultiplySecret(kj, x.Value.Value), theirs.Encrypt(-beta.Value, s));
        var f = aux.PaillierKey.Encrypt(-beta.Value, r);
        var statement = new AffineOperationWithGroupCommitmentProof.Statement(state.Level, aux.Setups[j], theirs, state.OwnKey, kj, d, f, xPoint);
        var witness = new AffineOperationWithGroupCommitmentProof.Witness(
            new SecretBigInteger(x.Value.Value), new SecretBigInteger(-beta.Value), new SecretBigInteger(s), new SecretBigInteger(r));
        try
        {
            return (d, f, AffineOperationWithGroupCommitmentProof.Prove(state.Context(state.Self), statement, witness, state.Rng, aux.PaillierKey));
        }
        finally
        {
            witness.X.Dispose();
            witness.Y.Dispose();
            witness.Rho.Dispose();
            witness.RhoY.Dispose();
        }
    }
}
