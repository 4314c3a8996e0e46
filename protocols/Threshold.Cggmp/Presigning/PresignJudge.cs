using System.Numerics;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;

namespace Threshold.Cggmp.Presigning;

/// <summary>The check codes presigning blames with.</summary>
public static class PresignChecks
{
    /// <summary>Πenc for K_j (round 1) failed.</summary>
    public const string Encryption = "presign.enc";

    /// <summary>Πaff-g for D_{i,j}, F_{i,j} against Γ_j (round 2) failed.</summary>
    public const string AffineGamma = "presign.aff-g.gamma";

    /// <summary>Πaff-g for D̂_{i,j}, F̂_{i,j} against X_j (round 2) failed.</summary>
    public const string AffineX = "presign.aff-g.x";

    /// <summary>Πlog* for G_j vs Γ_j (round 2) failed.</summary>
    public const string LogGamma = "presign.log.gamma";

    /// <summary>An affine operation's additive term outside ±2^ℓ' (shown by the disclosed decryption).</summary>
    public const string AlphaRange = "presign.alpha-range";

    /// <summary>Πlog* for K_j vs Δ_j with base Γ (round 3) failed.</summary>
    public const string LogK = "presign.log.k";

    /// <summary>Identification: the published D_{j,i}, F_{j,i} differ from those sent to j.</summary>
    public const string IdentificationInconsistent = "presign.identify.inconsistent";

    /// <summary>Identification: Πmul (δ) or Πmul* (χ) for H_i failed.</summary>
    public const string IdentificationProduct = "presign.identify.product";

    /// <summary>Identification: a re-proven Πaff-g failed.</summary>
    public const string IdentificationAffine = "presign.identify.aff-g";

    /// <summary>Identification: Πdec showing δ_i (χ_i) failed — the wrong δ or χ share.</summary>
    public const string IdentificationDecryption = "presign.identify.dec";

    /// <summary>Identification (χ): the revealed χ_i does not match S_i.</summary>
    public const string IdentificationChi = "presign.identify.chi";
}

/// <summary>
/// Re-checks other signers' accusations against the signed evidence. Every accused proof was made for
/// the accuser (against its ring-Pedersen parameters); the judge rebuilds the statement from the
/// evidence and from the values every honest signer shares (K_j, G_j, Γ_j, δ_j, S_j), which echo
/// broadcast keeps identical everywhere. It cannot tell before it has seen those values itself.
/// </summary>
internal sealed class PresignJudge : IBlameJudge
{
    /// <summary>The signer's state, holding the shared values as they become known.</summary>
    public PresignState? State { get; set; }

    public bool? Confirms(Culprit accusation, int accuser)
    {
        var e = accusation.Evidence;
        var j = accusation.Party;
        if (State is not { } state || e.Any(m => m.Sender != j) || !state.Signers.Contains(accuser) || !state.Ciphertexts.ContainsKey(j))
        {
            return State is null ? null : false;
        }

        var aux = state.Aux;
        var context = state.Context(j);
        var setup = aux.Setups[accuser];
        var level = state.Level;
        var curve = state.Curve;
        try
        {
            switch (accusation.Check)
            {
                case PresignChecks.Encryption when Shape(e, accuser, (1, true), (1, false)):
                    var k = Presign.Ciphertext(aux.PaillierKeys[j], WireCodec.Parse(Wire.PresignCiphertexts.Parser, e[0].Payload, "ciphertexts").K, "K_j");
                    var encStatement = new PaillierEncryptionInRangeProof.Statement(level, curve, setup, aux.PaillierKeys[j], k);
                    var enc = PaillierEncryptionInRangeProof.Proof.Decode(encStatement, WireCodec.Parse(Wire.PresignEncProof.Parser, e[1].Payload, "Πenc").Proof.Span);
                    return !PaillierEncryptionInRangeProof.Verify(context, encStatement, enc).IsValid;
                case PresignChecks.AffineGamma or PresignChecks.AffineX when Shape(e, accuser, (2, true), (2, false)) && state.Ciphertexts.ContainsKey(accuser):
                    var gamma = WireCodec.DecodePoint(curve, WireCodec.Parse(Wire.PresignGamma.Parser, e[0].Payload, "Γ_j").Gamma, "Γ_j");
                    var m = WireCodec.Parse(Wire.PresignAffine.Parser, e[1].Payload, "affine");
                    var (accuserKey, theirs) = (aux.PaillierKeys[accuser], aux.PaillierKeys[j]);
                    var gammaCheck = accusation.Check == PresignChecks.AffineGamma;
                    var statement = new AffineOperationWithGroupCommitmentProof.Statement(
                        level, setup, accuserKey, theirs, state.Ciphertexts[accuser].K,
                        Presign.Ciphertext(accuserKey, gammaCheck ? m.D : m.DHat, "D"),
                        Presign.Ciphertext(theirs, gammaCheck ? m.F : m.FHat, "F"),
                        gammaCheck ? gamma : state.PublicX[j]);
                    var aff = AffineOperationWithGroupCommitmentProof.Proof.Decode(statement, (gammaCheck ? m.AffGamma : m.AffX).Span);
                    return !AffineOperationWithGroupCommitmentProof.Verify(context, statement, aff).IsValid;
                case PresignChecks.LogGamma when Shape(e, accuser, (1, true), (2, true), (2, false)):
                    var g = Presign.Ciphertext(aux.PaillierKeys[j], WireCodec.Parse(Wire.PresignCiphertexts.Parser, e[0].Payload, "ciphertexts").G, "G_j");
                    var point = WireCodec.DecodePoint(curve, WireCodec.Parse(Wire.PresignGamma.Parser, e[1].Payload, "Γ_j").Gamma, "Γ_j");
                    var logStatement = new KnowledgeOfExponentVsEncryptionProof.Statement(level, setup, aux.PaillierKeys[j], g, point, curve.Generator);
                    var log = KnowledgeOfExponentVsEncryptionProof.Proof.Decode(logStatement, WireCodec.Parse(Wire.PresignAffine.Parser, e[2].Payload, "affine").LogGamma.Span);
                    return !KnowledgeOfExponentVsEncryptionProof.Verify(context, logStatement, log).IsValid;
                case PresignChecks.AlphaRange when Shape(e, accuser, (2, false)):
                    var accuserPaillier = aux.PaillierKeys[accuser];
                    var (which, plaintext, nonce) = AlphaDisclosure.Decode(accusation.Disclosure, accuserPaillier);
                    var affine = WireCodec.Parse(Wire.PresignAffine.Parser, e[0].Payload, "affine");
                    var d = Presign.Ciphertext(accuserPaillier, which == 0 ? affine.D : affine.DHat, "D");
                    return accuserPaillier.Encrypt(plaintext, nonce).Equals(d) && BigInteger.Abs(plaintext) > BigInteger.One << (level.EllPrime + 1);
                case PresignChecks.LogK when Shape(e, accuser, (3, true), (3, false)) && state.Gammas.Count == state.Signers.Count:
                    var sum = state.Gammas.Values.Aggregate((a, b) => a + b);
                    var bigDelta = WireCodec.DecodePoint(curve, WireCodec.Parse(Wire.PresignDelta.Parser, e[0].Payload, "δ").BigDelta, "Δ_j");
                    var kStatement = new KnowledgeOfExponentVsEncryptionProof.Statement(level, setup, aux.PaillierKeys[j], state.Ciphertexts[j].K, bigDelta, sum);
                    var logK = KnowledgeOfExponentVsEncryptionProof.Proof.Decode(kStatement, WireCodec.Parse(Wire.PresignLogProof.Parser, e[1].Payload, "Πlog*").Proof.Span);
                    return !KnowledgeOfExponentVsEncryptionProof.Verify(context, kStatement, logK).IsValid;
                case PresignChecks.IdentificationInconsistent when e.Count == 2 && e[0] is { Round: 2, Recipient: { } to } && to == accuser && e[1].IsBroadcast && e[1].Round >= 4:
                    var target = e[1].Round == 4 ? IdentificationTarget.Delta : IdentificationTarget.Chi;
                    var original = WireCodec.Parse(Wire.PresignAffine.Parser, e[0].Payload, "affine");
                    var published = WireCodec.Parse(Wire.PresignIdentification.Parser, e[1].Payload, "identification");
                    var index = state.Signers.Where(s => s != j).ToList().IndexOf(accuser);
                    var (od, of) = target == IdentificationTarget.Delta ? (original.D, original.F) : (original.DHat, original.FHat);
                    return index < 0 || index >= published.DSent.Count || index >= published.FSent.Count || od != published.DSent[index] || of != published.FSent[index];
                case PresignChecks.IdentificationProduct or PresignChecks.IdentificationAffine or PresignChecks.IdentificationDecryption or PresignChecks.IdentificationChi
                    when Shape(e, accuser, (e.Count > 0 ? e[0].Round : 0, true), (e.Count > 0 ? e[0].Round : 0, false)) && e[0].Round >= 4 && Identification is { } known:
                    var failed = PresignIdentification.Check(state, known.Target, j, accuser, e[0], e[1], null, known.R, known.S, null);
                    return failed is { } f && f.Check == accusation.Check;
                default:
                    return null;
            }
        }
        catch (DecodingException)
        {
            return false;
        }
    }

    /// <summary>What the identification round explains, with R and the S_j for χ, once this signer is there.</summary>
    public (IdentificationTarget Target, Point R, IReadOnlyDictionary<int, Point>? S)? Identification { get; set; }

    /// <summary>Evidence of the given rounds and kinds, direct messages addressed to the accuser.</summary>
    private static bool Shape(IReadOnlyList<RoundMessage> evidence, int accuser, params (int Round, bool Broadcast)[] shape) =>
        evidence.Count == shape.Length
        && evidence.Zip(shape).All(x => x.First.Round == x.Second.Round && x.First.IsBroadcast == x.Second.Broadcast && (x.Second.Broadcast || x.First.Recipient == accuser));
}
