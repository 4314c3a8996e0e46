using Threshold.Cggmp.Auxiliary;
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

    /// <summary>Πlog* for K_j vs Δ_j with base Γ (round 3) failed.</summary>
    public const string LogK = "presign.log.k";
}

/// <summary>
/// Re-checks other signers' accusations against the signed evidence. Every accused proof was made for
/// the accuser (against its ring-Pedersen parameters); the judge rebuilds the statement from the
/// evidence and from the values every honest signer shares (K_j, G_j, Γ), which echo broadcast keeps
/// identical everywhere.
/// </summary>
internal sealed class PresignJudge(byte[] sessionId, IReadOnlyList<int> signers, Curve curve, AuxInfo aux, Point publicKey, IReadOnlyDictionary<int, Point> publicX) : IBlameJudge
{
    /// <summary>(K_j, G_j) of every signer, once known.</summary>
    public Dictionary<int, (PaillierCiphertext K, PaillierCiphertext G)> Ciphertexts { get; } = [];

    /// <summary>Γ = Σ Γ_j, once known.</summary>
    public Point? Gamma { get; set; }

    public bool? Confirms(Culprit accusation, int accuser)
    {
        var e = accusation.Evidence;
        var j = accusation.Party;
        if (e.Any(m => m.Sender != j) || !aux.Setups.ContainsKey(accuser))
        {
            return false;
        }

        var context = Presign.Context(sessionId, publicKey, signers, j);
        var setup = aux.Setups[accuser];
        var level = aux.Level;
        try
        {
            switch (accusation.Check)
            {
                case PresignChecks.Encryption when Shape(e, accuser, (1, true), (1, false)):
                    var k = CiphertextsIn(j, e[0]).K;
                    var encStatement = new PaillierEncryptionInRangeProof.Statement(level, curve, setup, aux.PaillierKeys[j], k);
                    var enc = PaillierEncryptionInRangeProof.Proof.Decode(encStatement, WireCodec.Parse(Wire.PresignEncProof.Parser, e[1].Payload, "Πenc").Proof.Span);
                    return !PaillierEncryptionInRangeProof.Verify(context, encStatement, enc).IsValid;
                case PresignChecks.AffineGamma or PresignChecks.AffineX when Shape(e, accuser, (2, true), (2, false)) && Ciphertexts.TryGetValue(accuser, out var own):
                    var gamma = WireCodec.DecodePoint(curve, WireCodec.Parse(Wire.PresignGamma.Parser, e[0].Payload, "Γ_j").Gamma, "Γ_j");
                    var m = WireCodec.Parse(Wire.PresignAffine.Parser, e[1].Payload, "affine");
                    var (accuserKey, theirs) = (aux.PaillierKeys[accuser], aux.PaillierKeys[j]);
                    var gammaCheck = accusation.Check == PresignChecks.AffineGamma;
                    var statement = new AffineOperationWithGroupCommitmentProof.Statement(
                        level, setup, accuserKey, theirs, own.K,
                        Presign.Ciphertext(accuserKey, gammaCheck ? m.D : m.DHat, "D"),
                        Presign.Ciphertext(theirs, gammaCheck ? m.F : m.FHat, "F"),
                        gammaCheck ? gamma : publicX[j]);
                    var aff = AffineOperationWithGroupCommitmentProof.Proof.Decode(statement, (gammaCheck ? m.AffGamma : m.AffX).Span);
                    return !AffineOperationWithGroupCommitmentProof.Verify(context, statement, aff).IsValid;
                case PresignChecks.LogGamma when Shape(e, accuser, (1, true), (2, true), (2, false)):
                    var g = CiphertextsIn(j, e[0]).G;
                    var point = WireCodec.DecodePoint(curve, WireCodec.Parse(Wire.PresignGamma.Parser, e[1].Payload, "Γ_j").Gamma, "Γ_j");
                    var logStatement = new KnowledgeOfExponentVsEncryptionProof.Statement(level, setup, aux.PaillierKeys[j], g, point, curve.Generator);
                    var log = KnowledgeOfExponentVsEncryptionProof.Proof.Decode(logStatement, WireCodec.Parse(Wire.PresignAffine.Parser, e[2].Payload, "affine").LogGamma.Span);
                    return !KnowledgeOfExponentVsEncryptionProof.Verify(context, logStatement, log).IsValid;
                case PresignChecks.LogK when Shape(e, accuser, (3, true), (3, false)) && Gamma is { } sum && Ciphertexts.TryGetValue(j, out var theirsC):
                    var bigDelta = WireCodec.DecodePoint(curve, WireCodec.Parse(Wire.PresignDelta.Parser, e[0].Payload, "δ").BigDelta, "Δ_j");
                    var kStatement = new KnowledgeOfExponentVsEncryptionProof.Statement(level, setup, aux.PaillierKeys[j], theirsC.K, bigDelta, sum);
                    var logK = KnowledgeOfExponentVsEncryptionProof.Proof.Decode(kStatement, WireCodec.Parse(Wire.PresignLogProof.Parser, e[1].Payload, "Πlog*").Proof.Span);
                    return !KnowledgeOfExponentVsEncryptionProof.Verify(context, kStatement, logK).IsValid;
                default:
                    return null;
            }
        }
        catch (DecodingException)
        {
            return false;
        }
    }

    private (PaillierCiphertext K, PaillierCiphertext G) CiphertextsIn(int j, RoundMessage broadcast)
    {
        var m = WireCodec.Parse(Wire.PresignCiphertexts.Parser, broadcast.Payload, "ciphertexts");
        return (Presign.Ciphertext(aux.PaillierKeys[j], m.K, "K_j"), Presign.Ciphertext(aux.PaillierKeys[j], m.G, "G_j"));
    }

    /// <summary>Evidence of the given rounds and kinds, direct messages addressed to the accuser.</summary>
    private static bool Shape(IReadOnlyList<RoundMessage> evidence, int accuser, params (int Round, bool Broadcast)[] shape) =>
        evidence.Count == shape.Length
        && evidence.Zip(shape).All(x => x.First.Round == x.Second.Round && x.First.IsBroadcast == x.Second.Broadcast && (x.Second.Broadcast || x.First.Recipient == accuser));
}
