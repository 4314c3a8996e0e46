// Identification after a failed presigning check (CGGMP21 §4, "identifying the culprit" after the δ
// check; the same method for χ when Σ S_j ≠ X). Every signer i opens the ciphertext whose plaintext
// its δ_i (χ_i) should be, and proves, to each verifier v against v's ring-Pedersen parameters:
//   - H_i encrypts k_i·γ_i (Πmul on K_i, G_i) or k_i·x_i (Πmul* on K_i with X_i);
//   - each D_{j,i} (D̂_{j,i}) it sent was the affine operation it claims (Πaff-g again, now to everyone);
//   - C_i = H_i · Π_j D_{i,j} · F_{j,i}⁻¹, built from the signed messages it received and its own F's,
//     decrypts to δ_i (χ_i) modulo q (Πdec).
// For χ, i also reveals χ_i, and S_i must equal χ_i·R. The checks live in PresignVerification.
using Google.Protobuf;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.Presigning;

/// <summary>The proofs of the identification round.</summary>
internal static class PresignIdentification
{
    /// <summary>Πaff-g for one affine operation this signer performed on K_j, against <paramref name="setup"/>.</summary>
    public static AffineOperationWithGroupCommitmentProof.Proof ProveAffine(PresignState state, int j, PaillierCiphertext kj, SentAffine sent, SecretScalar x, Point xPoint, RingPedersenParameters setup, System.Security.Cryptography.RandomNumberGenerator rng)
    {
        var statement = new AffineOperationWithGroupCommitmentProof.Statement(
            state.Level, setup, state.Setup.PaillierKeys[j], state.OwnKey, kj, sent.D, sent.F, xPoint);
        var witness = new AffineOperationWithGroupCommitmentProof.Witness(
            new SecretBigInteger(x.Value.Value), new SecretBigInteger(-sent.Beta.Value), new SecretBigInteger(sent.S.Value), new SecretBigInteger(sent.R.Value));
        try
        {
            return AffineOperationWithGroupCommitmentProof.Prove(state.Context(state.Self), statement, witness, rng, state.Aux.PaillierKey);
        }
        finally
        {
            witness.X.Dispose();
            witness.Y.Dispose();
            witness.Rho.Dispose();
            witness.RhoY.Dispose();
        }
    }

    /// <summary>This signer's identification messages, from its secrets and its <paramref name="history"/>.</summary>
    public static Outgoing Prove(PresignState state, IdentificationTarget target, MessageView history)
    {
        var verify = state.Verification;
        var key = state.Aux.PaillierKey;
        var pk = key.PublicKey;
        var others = state.Others.ToList();
        var isDelta = target == IdentificationTarget.Delta;
        var multiplier = isDelta ? state.Gamma : state.X;
        var multiplierPoint = isDelta ? Point.MultiplyGenerator(state.Gamma) : state.Setup.PublicX[state.Self];
        var chi = state.Chi!;
        var received = others.ToDictionary(j => j, j => history.Direct(2, j, state.Self));
        var theirK = others.ToDictionary(j => j, j => verify.Ciphertexts(history, j).K);

        using var rho = new SecretBigInteger(pk.SampleNonce(state.Rng));
        var h = pk.Add(pk.MultiplySecret(isDelta ? state.OwnG : state.OwnK, (isDelta ? state.K : state.X).Value.Value), key.Encrypt(0, rho.Value));
        var identification = new Wire.PresignIdentification { H = WireCodec.Unsigned(h.Value) };
        if (isDelta)
        {
            using var mulWitness = new PaillierMultiplicationProof.Witness(state.K.Value.Value, rho.Value, state.Rho.Value);
            var mul = PaillierMultiplicationProof.Prove(state.Context(state.Self), new PaillierMultiplicationProof.Statement(pk, state.OwnK, state.OwnG, h, state.Curve), mulWitness, state.Rng, key);
            identification.MulProof = ByteString.CopyFrom(mul.Encode());
        }
        else
        {
            identification.Chi = WireCodec.Scalar(chi.Value);
        }

        foreach (var j in others)
        {
            var sent = Pick(state.Sent[j], target);
            identification.Received.Add(ByteString.CopyFrom(received[j].Encode()));
            identification.DSent.Add(WireCodec.Unsigned(sent.D.Value));
            identification.FSent.Add(WireCodec.Unsigned(sent.F.Value));
        }

        var opened = PresignVerification.Opened(pk, h, others.Select(j => (PresignVerification.ReceivedCiphertext(pk, received[j], target), Pick(state.Sent[j], target).F)));
        using var decWitness = DecryptionModuloQProof.Witness.Recover(key, opened);
        var x = isDelta ? verify.Delta(history, state.Self).Delta : chi.Value;
        var direct = others.ToDictionary(v => v, v =>
        {
            var setup = state.Setup.Setups[v];
            var proofs = new Wire.PresignIdentificationProofs();
            var decStatement = new DecryptionModuloQProof.Statement(pk, opened, x, setup, state.Level, verify.IdentificationBits);
            proofs.DecProof = ByteString.CopyFrom(DecryptionModuloQProof.Prove(state.Context(state.Self), decStatement, decWitness, state.Rng, key).Encode());
            if (!isDelta)
            {
                using var starWitness = new MultiplicationWithGroupCommitmentProof.Witness(state.X.Value.Value, rho.Value);
                var starStatement = new MultiplicationWithGroupCommitmentProof.Statement(pk, state.OwnK, h, multiplierPoint, setup, state.Level);
                proofs.MulstarProof = ByteString.CopyFrom(MultiplicationWithGroupCommitmentProof.Prove(state.Context(state.Self), starStatement, starWitness, state.Rng, key).Encode());
            }

            foreach (var j in others)
            {
                proofs.AffProofs.Add(ByteString.CopyFrom(ProveAffine(state, j, theirK[j], Pick(state.Sent[j], target), multiplier, multiplierPoint, setup, state.Rng).Encode()));
            }

            return proofs.ToByteArray();
        });
        var broadcast = isDelta ? new Wire.PresignRound4 { Identification = identification }.ToByteArray() : identification.ToByteArray();
        return new Outgoing { Broadcast = broadcast, Direct = direct };
    }

    private static SentAffine Pick((SentAffine Gamma, SentAffine X) sent, IdentificationTarget target) =>
        target == IdentificationTarget.Delta ? sent.Gamma : sent.X;
}

/// <summary>The identification round: checks every signer's identification and names the culprits.</summary>
internal sealed class PresignIdentificationRound(PresignState state, IdentificationTarget target) : Round<Presignature>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<Presignature> Finish(RoundInbox inbox)
    {
        var verify = state.Verification;
        var round = target == IdentificationTarget.Delta ? 4 : 5;
        inbox.DecodeAll(broadcast: true, PresignChecks.Malformed, (j, _, view) => verify.Identification(view, j, round));
        inbox.DecodeAll(broadcast: false, PresignChecks.Malformed, (j, _, view) => verify.IdentificationProofs(view, j, state.Self, round));
        inbox.CheckAll(inbox.Others, (j, view) => verify.CheckIdentification(view, j, state.Self, round, state.Aux.RingPedersen, state.Aux.PaillierKey));
        state.Discard();
        return inbox.Fail<Presignature>();
    }

    public override void Discard() => state.Discard();
}
