using Threshold.Rounds;

namespace Threshold.Cggmp.Presigning;

/// <summary>The check codes presigning blames with.</summary>
public static class PresignChecks
{
    /// <summary>A payload that does not decode as its round's message (round 4: of the kind the δ check calls for).</summary>
    public const string Malformed = "presign.malformed";

    /// <summary>Πenc for K_j (round 1) failed.</summary>
    public const string Encryption = "presign.enc";

    /// <summary>Πaff-g for D_{i,j}, F_{i,j} against Γ_j (round 2) failed.</summary>
    public const string AffineGamma = "presign.aff-g.gamma";

    /// <summary>Πaff-g for D̂_{i,j}, F̂_{i,j} against X_j (round 2) failed.</summary>
    public const string AffineX = "presign.aff-g.x";

    /// <summary>Πlog* for G_j vs Γ_j (round 2) failed.</summary>
    public const string LogGamma = "presign.log.gamma";

    /// <summary>An affine operation's additive term outside ±2^(ℓ'+1) (shown by the disclosed decryption).</summary>
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
/// Re-runs presigning's checks on an accusation's evidence, from the run's public setup alone: every
/// accused proof was made for the accuser (against its ring-Pedersen parameters), and every value
/// another signer broadcast is read as the accused echoed it. Serves the signers, the aggregator and
/// any third party alike.
/// </summary>
internal sealed class PresignJudge(PresignVerification verification) : IBlameJudge
{
    public RoundShape Shape(int round, MessageView view) => verification.Shape(round, view);

    public bool Confirms(Culprit accusation, int accuser, MessageView view)
    {
        var j = accusation.Party;
        var v = accuser;
        if (!verification.Setup.Signers.Contains(v))
        {
            return false;
        }

        switch (accusation.Check)
        {
            case PresignChecks.Malformed:
                var m = accusation.Evidence[0];
                if (m.Sender != j || m.Kind != MessageKind.Round || m.Recipient is { } r && r != v)
                {
                    return false;
                }

                try
                {
                    verification.Decode(view, m);
                    return false;
                }
                catch (DecodingException)
                {
                    return true;
                }

            case PresignChecks.Encryption:
                return verification.CheckEncryption(view, j, v, null) is not null;
            case PresignChecks.AffineGamma or PresignChecks.AffineX or PresignChecks.LogGamma:
                return verification.CheckAffine(view, j, v, null, null)?.Check == accusation.Check;
            case PresignChecks.AlphaRange:
                return verification.AlphaDisclosed(view, j, v, accusation.Disclosure);
            case PresignChecks.LogK:
                return verification.CheckLogK(view, j, v, null) is not null;
            case PresignChecks.IdentificationInconsistent or PresignChecks.IdentificationProduct or PresignChecks.IdentificationAffine
                or PresignChecks.IdentificationDecryption or PresignChecks.IdentificationChi:
                // The identification of round 4 (δ) or 5 (χ), whichever the evidence shows was due.
                var round = verification.DeltaFails(view) ? 4 : 5;
                return verification.CheckIdentification(view, j, v, round, null, null)?.Check == accusation.Check;
            default:
                return false;
        }
    }
}
