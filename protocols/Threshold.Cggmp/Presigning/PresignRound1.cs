using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Arithmetic;
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
        var verify = state.Verification;
        var ciphertexts = inbox.DecodeAll(broadcast: true, PresignChecks.Malformed, (j, _, view) => verify.Ciphertexts(view, j));
        inbox.DecodeAll(broadcast: false, PresignChecks.Malformed, (j, _, view) => verify.Encryption(view, j, state.Self));
        inbox.CheckAll(inbox.Others, (j, view) => verify.CheckEncryption(view, j, state.Self, state.Aux.RingPedersen));
        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<Presignature>();
        }

        var gammaPoint = Point.MultiplyGenerator(state.Gamma);
        var affine = state.ForEachOther("affine", (j, rng) => Affine(j, ciphertexts[j].K, gammaPoint, rng));
        foreach (var (j, (_, sent)) in affine)
        {
            state.Sent[j] = sent;
        }

        var direct = affine.ToDictionary(e => e.Key, e => e.Value.Message);
        var broadcast = new Wire.PresignGamma { Gamma = WireCodec.Point(gammaPoint) }.ToByteArray();
        return new RoundOutcome<Presignature>.Next(new PresignRound2(state), new Outgoing { Broadcast = broadcast, Direct = direct });
    }

    public override void Discard() => state.Discard();

    /// <summary>The two affine operations on K_j with their proofs, and Πlog* for G_i, all for party j.</summary>
    private (byte[] Message, (SentAffine Gamma, SentAffine X) Sent) Affine(int j, PaillierCiphertext kj, Point gammaPoint, RandomNumberGenerator rng)
    {
        var aux = state.Aux;
        using var logWitness = new KnowledgeOfExponentVsEncryptionProof.Witness(state.Gamma, state.Nu.Value);
        var logStatement = new KnowledgeOfExponentVsEncryptionProof.Statement(state.Level, state.Setup.Setups[j], state.OwnKey, state.OwnG, gammaPoint, state.Curve.Generator);

        // The three proofs for j are independent: on a machine with cores to spare (t = 2 leaves one
        // counterparty) they run side by side, each with its own generator.
        (SentAffine Sent, AffineOperationWithGroupCommitmentProof.Proof Proof)? gammaOperation = null, xOperation = null;
        KnowledgeOfExponentVsEncryptionProof.Proof? log = null;
        Parallel.Invoke(
            () => gammaOperation = Operation(j, kj, state.Gamma, gammaPoint, PresignState.Fork(rng, "gamma")),
            () => xOperation = Operation(j, kj, state.X, state.Setup.PublicX[state.Self], PresignState.Fork(rng, "x")),
            () => log = KnowledgeOfExponentVsEncryptionProof.Prove(state.Context(state.Self), logStatement, logWitness, PresignState.Fork(rng, "log"), aux.PaillierKey));
        var (gamma, affGamma) = gammaOperation!.Value;
        var (x, affX) = xOperation!.Value;

        var message = new Wire.PresignAffine
        {
            D = WireCodec.Unsigned(gamma.D.Value),
            F = WireCodec.Unsigned(gamma.F.Value),
            DHat = WireCodec.Unsigned(x.D.Value),
            FHat = WireCodec.Unsigned(x.F.Value),
            AffGamma = ByteString.CopyFrom(affGamma.Encode()),
            AffX = ByteString.CopyFrom(affX.Encode()),
            LogGamma = ByteString.CopyFrom(log!.Encode()),
        }.ToByteArray();
        return (message, (gamma, x));
    }

    /// <summary>D = x ⊙ K_j ⊕ enc_j(−β; s), F = enc_i(−β; r) with β ← ±2^ℓ', and Πaff-g for them against R_j.</summary>
    private (SentAffine Sent, AffineOperationWithGroupCommitmentProof.Proof Proof) Operation(int j, PaillierCiphertext kj, SecretScalar x, Point xPoint, RandomNumberGenerator rng)
    {
        var theirs = state.Setup.PaillierKeys[j];
        var beta = new SecretBigInteger(Sampling.Signed(rng, state.Level.EllPrime));
        var s = new SecretBigInteger(theirs.SampleNonce(rng));
        var r = new SecretBigInteger(state.OwnKey.SampleNonce(rng));
        var d = theirs.Add(theirs.MultiplySecret(kj, x.Value.Value), theirs.Encrypt(-beta.Value, s.Value));
        var f = state.Aux.PaillierKey.Encrypt(-beta.Value, r.Value);
        var sent = new SentAffine(d, f, beta, s, r);
        return (sent, PresignIdentification.ProveAffine(state, j, kj, sent, x, xPoint, state.Setup.Setups[j], rng));
    }
}
