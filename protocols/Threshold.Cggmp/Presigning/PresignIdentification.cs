// Identification after a failed presigning check (CGGMP21 §4, "identifying the culprit" after the δ
// check; the same method for χ when Σ S_j ≠ X). Every signer i opens the ciphertext whose plaintext
// its δ_i (χ_i) should be, and proves, to each verifier v against v's ring-Pedersen parameters:
//   - H_i encrypts k_i·γ_i (Πmul on K_i, G_i) or k_i·x_i (Πmul* on K_i with X_i);
//   - each D_{j,i} (D̂_{j,i}) it sent was the affine operation it claims (Πaff-g again, now to everyone);
//   - C_i = H_i · Π_j D_{i,j} · F_{j,i}⁻¹, built from the signed messages it received and its own F's,
//     decrypts to δ_i (χ_i) modulo q (Πdec).
// For χ, i also reveals χ_i, and S_i must equal χ_i·R. Every check names i; a signer whose published
// D_{j,i}, F_{j,i} differ from what it sent j is caught by j, with both signed messages as evidence.
using System.Numerics;
using Google.Protobuf;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;

namespace Threshold.Cggmp.Presigning;

/// <summary>Which failed check the identification round explains.</summary>
internal enum IdentificationTarget
{
    /// <summary>δ·G ≠ Σ Δ_j.</summary>
    Delta,

    /// <summary>Σ S_j ≠ X.</summary>
    Chi,
}

/// <summary>The proofs and checks of the identification round.</summary>
internal static class PresignIdentification
{
    /// <summary>Πaff-g for one affine operation this signer performed on K_j, against <paramref name="setup"/>.</summary>
    public static AffineOperationWithGroupCommitmentProof.Proof ProveAffine(PresignState state, int j, SentAffine sent, SecretScalar x, Point xPoint, RingPedersenParameters setup, System.Security.Cryptography.RandomNumberGenerator rng)
    {
        var statement = new AffineOperationWithGroupCommitmentProof.Statement(
            state.Level, setup, state.Aux.PaillierKeys[j], state.OwnKey, state.Ciphertexts[j].K, sent.D, sent.F, xPoint);
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

    /// <summary>This signer's identification messages.</summary>
    public static Outgoing Prove(PresignState state, IdentificationTarget target, SecretScalar chi)
    {
        var key = state.Aux.PaillierKey;
        var pk = key.PublicKey;
        var others = state.Others.ToList();
        var isDelta = target == IdentificationTarget.Delta;
        var multiplier = isDelta ? state.Gamma : state.X;
        var multiplierPoint = isDelta ? state.Gammas[state.Self] : state.PublicX[state.Self];

        using var rho = new SecretBigInteger(pk.SampleNonce(state.Rng));
        var h = pk.Add(pk.MultiplySecret(isDelta ? state.OwnG : state.OwnK, (isDelta ? state.K : state.X).Value.Value), key.Encrypt(0, rho.Value));
        var broadcast = new Wire.PresignIdentification { H = WireCodec.Unsigned(h.Value) };
        if (isDelta)
        {
            using var mulWitness = new PaillierMultiplicationProof.Witness(state.K.Value.Value, rho.Value, state.Rho.Value);
            var mul = PaillierMultiplicationProof.Prove(state.Context(state.Self), new PaillierMultiplicationProof.Statement(pk, state.OwnK, state.OwnG, h, state.Curve), mulWitness, state.Rng, key);
            broadcast.MulProof = ByteString.CopyFrom(mul.Encode());
        }
        else
        {
            broadcast.Chi = WireCodec.Scalar(chi.Value);
        }

        foreach (var j in others)
        {
            var sent = Pick(state.Sent[j], target);
            broadcast.Received.Add(ByteString.CopyFrom(state.Received[j].Encode()));
            broadcast.DSent.Add(WireCodec.Unsigned(sent.D.Value));
            broadcast.FSent.Add(WireCodec.Unsigned(sent.F.Value));
        }

        var received = others.ToDictionary(j => j, j => ReceivedCiphertext(pk, state.Received[j], target));
        var opened = Opened(pk, h, others.Select(j => (received[j], Pick(state.Sent[j], target).F)));
        using var decWitness = DecryptionModuloQProof.Witness.Recover(key, opened);
        var x = isDelta ? state.Deltas[state.Self] : chi.Value;
        var direct = others.ToDictionary(v => v, v =>
        {
            var setup = state.Aux.Setups[v];
            var proofs = new Wire.PresignIdentificationProofs();
            var decStatement = new DecryptionModuloQProof.Statement(pk, opened, x, setup, state.Level, state.IdentificationBits);
            proofs.DecProof = ByteString.CopyFrom(DecryptionModuloQProof.Prove(state.Context(state.Self), decStatement, decWitness, state.Rng, key).Encode());
            if (!isDelta)
            {
                using var starWitness = new MultiplicationWithGroupCommitmentProof.Witness(state.X.Value.Value, rho.Value);
                var starStatement = new MultiplicationWithGroupCommitmentProof.Statement(pk, state.OwnK, h, multiplierPoint, setup, state.Level);
                proofs.MulstarProof = ByteString.CopyFrom(MultiplicationWithGroupCommitmentProof.Prove(state.Context(state.Self), starStatement, starWitness, state.Rng, key).Encode());
            }

            foreach (var j in others)
            {
                proofs.AffProofs.Add(ByteString.CopyFrom(ProveAffine(state, j, Pick(state.Sent[j], target), multiplier, multiplierPoint, setup, state.Rng).Encode()));
            }

            return proofs.ToByteArray();
        });
        return new Outgoing { Broadcast = broadcast.ToByteArray(), Direct = direct };
    }

    /// <summary>
    /// Checks prover <paramref name="prover"/>'s identification messages as verifier <paramref name="verifier"/>
    /// would (its own ring-Pedersen parameters; its secrets, when given, only for speed). Returns the
    /// failed check, or null if the prover showed its value honest. <paramref name="proverToVerifier"/>
    /// is the prover's signed round-2 message to the verifier, to compare with what it now publishes.
    /// </summary>
    public static (string Check, string Reason)? Check(
        PresignState state,
        IdentificationTarget target,
        int prover,
        int verifier,
        RoundMessage broadcast,
        RoundMessage direct,
        RoundMessage? proverToVerifier,
        Point r,
        IReadOnlyDictionary<int, Point>? s,
        RingPedersenSecret? verifierSecret)
    {
        var aux = state.Aux;
        var pk = aux.PaillierKeys[prover];
        var setup = aux.Setups[verifier];
        var isDelta = target == IdentificationTarget.Delta;
        var others = state.Signers.Where(j => j != prover).ToList();
        var context = state.Context(prover);
        var m = WireCodec.Parse(Wire.PresignIdentification.Parser, broadcast.Payload, "identification");
        var p = WireCodec.Parse(Wire.PresignIdentificationProofs.Parser, direct.Payload, "identification proofs");
        if (m.Received.Count != others.Count || m.DSent.Count != others.Count || m.FSent.Count != others.Count || p.AffProofs.Count != others.Count)
        {
            throw new DecodingException(DecodingError.Malformed, "identification lists");
        }

        var h = Presign.Ciphertext(pk, m.H, "H_i");
        var received = new List<PaillierCiphertext>();
        for (var n = 0; n < others.Count; n++)
        {
            var j = others[n];
            var message = RoundMessage.Decode(m.Received[n].Span);
            if (message.Sender != j || message.Recipient != prover || message.Round != 2 || message.IsComplaint
                || message.Protocol != Presign.ProtocolName || !message.SessionId.AsSpan().SequenceEqual(state.SessionId)
                || !state.Directory.Verify(j, message.Digest(), message.Signature))
            {
                throw new DecodingException(DecodingError.Malformed, "identification: a received message is not genuine");
            }

            received.Add(ReceivedCiphertext(pk, message, target));
        }

        var dSent = others.Select((j, n) => Presign.Ciphertext(aux.PaillierKeys[j], m.DSent[n], "D_{j,i}")).ToList();
        var fSent = others.Select((_, n) => Presign.Ciphertext(pk, m.FSent[n], "F_{j,i}")).ToList();
        if (proverToVerifier is not null)
        {
            var original = WireCodec.Parse(Wire.PresignAffine.Parser, proverToVerifier.Payload, "affine");
            var n = others.IndexOf(verifier);
            var (d, f) = isDelta ? (original.D, original.F) : (original.DHat, original.FHat);
            if (n < 0 || d != m.DSent[n] || f != m.FSent[n])
            {
                return (PresignChecks.IdentificationInconsistent, "published affine operations differ from those it sent");
            }
        }

        var multiplierPoint = isDelta ? state.Gammas[prover] : state.PublicX[prover];
        Scalar x;
        if (isDelta)
        {
            var mulStatement = new PaillierMultiplicationProof.Statement(pk, state.Ciphertexts[prover].K, state.Ciphertexts[prover].G, h, state.Curve);
            var mul = PaillierMultiplicationProof.Proof.Decode(mulStatement, m.MulProof.Span);
            if (PaillierMultiplicationProof.Verify(context, mulStatement, mul) is { IsValid: false } mulVerdict)
            {
                return (PresignChecks.IdentificationProduct, $"Πmul failed ({mulVerdict.FailedCheck})");
            }

            x = state.Deltas[prover];
        }
        else
        {
            x = WireCodec.DecodeScalar(state.Curve, m.Chi, "χ_i");
            if (s is null || !(x * r).Equals(s[prover]))
            {
                return (PresignChecks.IdentificationChi, "revealed χ_i does not match S_i = χ_i·R");
            }

            var starStatement = new MultiplicationWithGroupCommitmentProof.Statement(pk, state.Ciphertexts[prover].K, h, multiplierPoint, setup, state.Level);
            var star = MultiplicationWithGroupCommitmentProof.Proof.Decode(starStatement, p.MulstarProof.Span);
            if (MultiplicationWithGroupCommitmentProof.Verify(context, starStatement, star, verifierSecret) is { IsValid: false } starVerdict)
            {
                return (PresignChecks.IdentificationProduct, $"Πmul* failed ({starVerdict.FailedCheck})");
            }
        }

        for (var n = 0; n < others.Count; n++)
        {
            var j = others[n];
            var theirs = aux.PaillierKeys[j];
            var statement = new AffineOperationWithGroupCommitmentProof.Statement(state.Level, setup, theirs, pk, state.Ciphertexts[j].K, dSent[n], fSent[n], multiplierPoint);
            var proof = AffineOperationWithGroupCommitmentProof.Proof.Decode(statement, p.AffProofs[n].Span);
            var verdict = AffineOperationWithGroupCommitmentProof.Verify(context, statement, proof, verifierSecret, j == verifier && verifier == state.Self ? aux.PaillierKey : null);
            if (!verdict.IsValid)
            {
                return (PresignChecks.IdentificationAffine, $"Πaff-g for its operation on K_{j} failed ({verdict.FailedCheck})");
            }
        }

        var opened = Opened(pk, h, received.Zip(fSent));
        var decStatement = new DecryptionModuloQProof.Statement(pk, opened, x, setup, state.Level, state.IdentificationBits);
        var dec = DecryptionModuloQProof.Proof.Decode(decStatement, p.DecProof.Span);
        var decVerdict = DecryptionModuloQProof.Verify(context, decStatement, dec, verifierSecret);
        return decVerdict.IsValid ? null : (PresignChecks.IdentificationDecryption, $"Πdec for its {(isDelta ? "δ_i" : "χ_i")} failed ({decVerdict.FailedCheck})");
    }

    private static SentAffine Pick((SentAffine Gamma, SentAffine X) sent, IdentificationTarget target) =>
        target == IdentificationTarget.Delta ? sent.Gamma : sent.X;

    /// <summary>D_{i,j} (δ) or D̂_{i,j} (χ) from j's signed round-2 message to i.</summary>
    private static PaillierCiphertext ReceivedCiphertext(PaillierPublicKey key, RoundMessage message, IdentificationTarget target)
    {
        var m = WireCodec.Parse(Wire.PresignAffine.Parser, message.Payload, "affine");
        return Presign.Ciphertext(key, target == IdentificationTarget.Delta ? m.D : m.DHat, "D_{i,j}");
    }

    /// <summary>C_i = H_i · Π_j D_{i,j} · F_{j,i}⁻¹ under N_i: its plaintext is k_i·γ_i + Σ_j (α_{i,j} + β_{i,j}).</summary>
    private static PaillierCiphertext Opened(PaillierPublicKey key, PaillierCiphertext h, IEnumerable<(PaillierCiphertext D, PaillierCiphertext F)> terms) =>
        terms.Aggregate(h, (acc, t) => key.Add(key.Add(acc, t.D), key.Multiply(t.F, -1)));
}

/// <summary>The identification round: checks every signer's identification and names the culprits.</summary>
internal sealed class PresignIdentificationRound(PresignState state, IdentificationTarget target, Point r, IReadOnlyDictionary<int, Point>? s) : Round<Presignature>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<Presignature> Finish(RoundInbox inbox)
    {
        var results = ParallelVerification.VerifyAll([.. inbox.Others.Select<int, Func<Verdict>>(i => () =>
        {
            try
            {
                var failed = PresignIdentification.Check(state, target, i, state.Self, inbox.BroadcastFrom(i), inbox.DirectFrom(i), state.Received[i], r, s, state.Aux.RingPedersen);
                return failed is { } f ? Verdict.Fail(f.Check + "|" + f.Reason) : Verdict.Valid;
            }
            catch (DecodingException e)
            {
                return Verdict.Fail(Checks.Malformed + "|malformed identification: " + e.Message);
            }
        })]);
        var others = inbox.Others;
        for (var n = 0; n < others.Count; n++)
        {
            if (results[n].FailedCheck is { } failed)
            {
                var i = others[n];
                var parts = failed.Split('|', 2);
                var evidence = parts[0] == PresignChecks.IdentificationInconsistent
                    ? new[] { state.Received[i], inbox.BroadcastFrom(i) }
                    : [inbox.BroadcastFrom(i), inbox.DirectFrom(i)];
                inbox.Blame(i, parts[0], parts[1], evidence);
            }
        }

        state.Discard();
        return inbox.Fail<Presignature>();
    }
}
