using System.Numerics;
using Google.Protobuf;
using Threshold.Curves;
using Threshold.Paillier;
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
internal sealed class PresignRound2(PresignState state, IReadOnlyDictionary<int, RoundMessage> round1) : Round<Presignature>
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

        // Πaff-g only bounds the additive term by 2^(ℓ'+ε); an honest one is within 2^ℓ'. A larger one
        // would push this party's δ_i, χ_i beyond what identification can prove, so it is refused
        // here, and the decryption (plaintext and nonce) is disclosed as proof.
        var key = aux.PaillierKey;
        var bound = BigInteger.One << (state.Level.EllPrime + 1);
        var plaintexts = new Dictionary<int, (BigInteger Alpha, BigInteger AlphaHat)>();
        foreach (var (j, a) in affine.Where(e => e.Value is not null && !inbox.Culprits.Any(c => c.Party == e.Key)))
        {
            var alpha = key.DecryptSigned(a!.GammaStatement.D);
            var alphaHat = key.DecryptSigned(a.XStatement.D);
            if (BigInteger.Abs(alpha) > bound || BigInteger.Abs(alphaHat) > bound)
            {
                var (which, value, ciphertext) = BigInteger.Abs(alpha) > bound ? (0, alpha, a.GammaStatement.D) : (1, alphaHat, a.XStatement.D);
                inbox.Blame(j, PresignChecks.AlphaRange, "affine operation with an additive term outside ±2^ℓ'", AlphaDisclosure.Encode(which, value, key.RecoverNonce(ciphertext.Value)), inbox.DirectFrom(j));
            }

            plaintexts[j] = (alpha, alphaHat);
        }

        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<Presignature>();
        }

        foreach (var (j, g) in gammas)
        {
            state.Gammas[j] = g;
            state.Received[j] = inbox.DirectFrom(j);
        }

        var gamma = state.Gammas.Values.Aggregate((a, b) => a + b);
        var curve = state.Curve;
        var delta = state.Gamma.Value * state.K.Value;
        var chi = state.X.Value * state.K.Value;
        foreach (var (j, (alpha, alphaHat)) in plaintexts)
        {
            var (sentGamma, sentX) = state.Sent[j];
            delta += Scalar.FromValue(curve, alpha + sentGamma.Beta.Value);
            chi += Scalar.FromValue(curve, alphaHat + sentX.Beta.Value);
        }

        var bigDelta = state.K.Value * gamma;
        delta = state.Faults?.Delta?.Invoke(delta) ?? delta;
        state.Deltas[state.Self] = delta;
        using var witness = new KnowledgeOfExponentVsEncryptionProof.Witness(state.K, state.Rho.Value);
        var direct = state.ForEachOther("log", (j, rng) =>
        {
            var statement = new KnowledgeOfExponentVsEncryptionProof.Statement(state.Level, aux.Setups[j], state.OwnKey, state.OwnK, bigDelta, gamma);
            var proof = KnowledgeOfExponentVsEncryptionProof.Prove(state.Context(state.Self), statement, witness, rng, key);
            return new Wire.PresignLogProof { Proof = ByteString.CopyFrom(proof.Encode()) }.ToByteArray();
        });
        var broadcast = new Wire.PresignDelta { Delta = WireCodec.Scalar(delta), BigDelta = WireCodec.Point(bigDelta) }.ToByteArray();
        var next = new PresignRound3(state, gamma, bigDelta, new SecretScalar(chi));
        return new RoundOutcome<Presignature>.Next(next, new Outgoing { Broadcast = broadcast, Direct = direct });
    }

    private static string Name(string check) => check switch
    {
        PresignChecks.AffineGamma => "Πaff-g for γ_j",
        PresignChecks.AffineX => "Πaff-g for x_j",
        _ => "Πlog* for G_j",
    };

    /// <summary>Decodes j's affine message: D, D̂ under this party's key, F, F̂ under j's, and the three proofs.</summary>
    private Affine Decode(int j, Point gamma, byte[] payload)
    {
        var aux = state.Aux;
        var m = WireCodec.Parse(Wire.PresignAffine.Parser, payload, "presign affine");
        var own = state.OwnKey;
        var theirs = aux.PaillierKeys[j];
        var setup = aux.RingPedersen.Parameters;
        var gammaStatement = new AffineOperationWithGroupCommitmentProof.Statement(
            state.Level, setup, own, theirs, state.OwnK, Presign.Ciphertext(own, m.D, "D"), Presign.Ciphertext(theirs, m.F, "F"), gamma);
        var xStatement = new AffineOperationWithGroupCommitmentProof.Statement(
            state.Level, setup, own, theirs, state.OwnK, Presign.Ciphertext(own, m.DHat, "D̂"), Presign.Ciphertext(theirs, m.FHat, "F̂"), state.PublicX[j]);
        var logStatement = new KnowledgeOfExponentVsEncryptionProof.Statement(state.Level, setup, theirs, state.Ciphertexts[j].G, gamma, state.Curve.Generator);
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

/// <summary>The disclosure substantiating an α range accusation: which operation, its plaintext and nonce.</summary>
internal static class AlphaDisclosure
{
    public static byte[] Encode(int which, BigInteger plaintext, BigInteger nonce) =>
        new Wire.PresignAlphaDisclosure { Which = (uint)which, Plaintext = WireCodec.Signed(plaintext), Nonce = WireCodec.Unsigned(nonce) }.ToByteArray();

    public static (int Which, BigInteger Plaintext, BigInteger Nonce) Decode(byte[] disclosure, PaillierPublicKey key)
    {
        var m = WireCodec.Parse(Wire.PresignAlphaDisclosure.Parser, disclosure, "α disclosure");
        return ((int)m.Which, WireCodec.DecodeSigned(m.Plaintext, key.Bits, "α"), WireCodec.DecodeUnit(m.Nonce, key.N, key.Arithmetic, "α nonce"));
    }
}
