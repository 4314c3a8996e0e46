using System.Security.Cryptography;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;

namespace Threshold.Cggmp.Auxiliary;

/// <summary>The check codes aux-info blames with.</summary>
public static class AuxInfoChecks
{
    /// <summary>A payload that does not decode as its round's message.</summary>
    public const string Malformed = "aux-info.malformed";

    /// <summary>A round-2 opening that does not match the round-1 commitment V_j.</summary>
    public const string Decommitment = "aux-info.decommitment";

    /// <summary>A Πprm (ring-Pedersen parameters) that does not verify.</summary>
    public const string RingPedersen = "aux-info.prm";

    /// <summary>A Πmod (Paillier–Blum modulus) that does not verify.</summary>
    public const string Modulus = "aux-info.mod";

    /// <summary>A Πfac (no small factors), addressed to the accuser, that does not verify.</summary>
    public const string Factors = "aux-info.fac";
}

/// <summary>
/// Every check of aux-info, written once against a <see cref="MessageView"/> (the rounds run them on
/// their history, the judge on evidence). ρ is computed from every party's opening as read through
/// the view, so a judge uses the openings the accused echoed.
/// </summary>
internal static class AuxInfoVerification
{
    /// <summary>Commitments; openings; Πmod to all and Πfac to each; the confirmation.</summary>
    public static RoundShape Shape(int round) => round switch
    {
        1 => new RoundShape(true, false),
        2 => new RoundShape(true, false),
        3 => new RoundShape(true, true),
        4 => RoundShape.Confirm,
        _ => RoundShape.None,
    };

    /// <summary>V_j from j's round-1 broadcast.</summary>
    public static byte[] Commitment(MessageView view, int j)
    {
        var m = WireCodec.Parse(Wire.AuxInfoCommitment.Parser, view.Broadcast(1, j).Payload, "aux-info commitment");
        return m.Hash.Length == 32 ? m.Hash.ToByteArray() : throw new DecodingException(DecodingError.Malformed, "aux-info commitment");
    }

    /// <summary>j's opening from its round-2 broadcast.</summary>
    public static Provision Provision(AuxInfoConfig config, MessageView view, int j) => Auxiliary.Provision.Decode(config, view.Broadcast(2, j).Payload);

    /// <summary>Πmod from j's round-3 broadcast, for j's modulus.</summary>
    public static PaillierBlumModulusProof.Proof Modulus(AuxInfoConfig config, MessageView view, int j) =>
        PaillierBlumModulusProof.Proof.Decode(
            ModulusStatement(config, view, j),
            WireCodec.Parse(Wire.AuxInfoModulusProof.Parser, view.Broadcast(3, j).Payload, "aux-info Πmod").Proof.Span);

    /// <summary>Πfac from j's round-3 message to <paramref name="verifier"/>, against the verifier's ring-Pedersen parameters.</summary>
    public static NoSmallFactorProof.Proof Factors(AuxInfoConfig config, MessageView view, int j, int verifier) =>
        NoSmallFactorProof.Proof.Decode(
            FactorStatement(config, view, j, verifier),
            WireCodec.Parse(Wire.AuxInfoFactorProof.Parser, view.Direct(3, j, verifier).Payload, "aux-info Πfac").Proof.Span);

    /// <summary>Round 2: does j's opening open V_j, and does its Πprm verify?</summary>
    public static CheckFailure? CheckOpening(AuxInfoConfig config, MessageView view, int j)
    {
        var provision = Provision(config, view, j);
        if (!CryptographicOperations.FixedTimeEquals(AuxInfoProtocol.Commitment(config, j, provision), Commitment(view, j)))
        {
            return new(AuxInfoChecks.Decommitment, "opening does not match its round-1 commitment");
        }

        var verdict = RingPedersenParametersProof.Verify(
            AuxInfoProtocol.Context(config, null, j),
            new RingPedersenParametersProof.Statement(provision.Setup, config.Level),
            provision.PrmProof);
        return verdict.IsValid ? null : new(AuxInfoChecks.RingPedersen, $"Πprm failed ({verdict.FailedCheck})");
    }

    /// <summary>ρ = ⊕ ρ_m over every party's opening.</summary>
    public static byte[] Rho(AuxInfoConfig config, MessageView view)
    {
        var rho = new byte[AuxInfoProtocol.RandomLength];
        foreach (var m in config.Parties)
        {
            var share = Provision(config, view, m).Rho;
            for (var b = 0; b < rho.Length; b++)
            {
                rho[b] ^= share[b];
            }
        }

        return rho;
    }

    /// <summary>Round 3: j's Πmod (to everyone).</summary>
    public static CheckFailure? CheckModulus(AuxInfoConfig config, MessageView view, int j)
    {
        var verdict = PaillierBlumModulusProof.Verify(AuxInfoProtocol.Context(config, Rho(config, view), j), ModulusStatement(config, view, j), Modulus(config, view, j));
        return verdict.IsValid ? null : new(AuxInfoChecks.Modulus, $"Πmod failed ({verdict.FailedCheck})");
    }

    /// <summary>Round 3: j's Πfac to <paramref name="verifier"/> (with the verifier's trapdoor, when it is the one checking, for speed).</summary>
    public static CheckFailure? CheckFactors(AuxInfoConfig config, MessageView view, int j, int verifier, RingPedersenSecret? verifierSecret)
    {
        var verdict = NoSmallFactorProof.Verify(AuxInfoProtocol.Context(config, Rho(config, view), j), FactorStatement(config, view, j, verifier), Factors(config, view, j, verifier), verifierSecret);
        return verdict.IsValid ? null : new(AuxInfoChecks.Factors, $"Πfac failed ({verdict.FailedCheck})");
    }

    /// <summary>Decodes a message as its slot's payload.</summary>
    public static void Decode(AuxInfoConfig config, MessageView view, RoundMessage m)
    {
        switch (m.Round, m.IsBroadcast)
        {
            case (1, true):
                Commitment(view, m.Sender);
                break;
            case (2, true):
                Provision(config, view, m.Sender);
                break;
            case (3, true):
                Modulus(config, view, m.Sender);
                break;
            case (3, false):
                Factors(config, view, m.Sender, m.Recipient!.Value);
                break;
            default:
                throw new EvidenceException("no payload to decode in this slot");
        }
    }

    private static PaillierBlumModulusProof.Statement ModulusStatement(AuxInfoConfig config, MessageView view, int j) =>
        PaillierBlumModulusProof.Statement.For(new PaillierPublicKey(Provision(config, view, j).Setup.N), config.Level);

    private static NoSmallFactorProof.Statement FactorStatement(AuxInfoConfig config, MessageView view, int j, int verifier) =>
        new(new PaillierPublicKey(Provision(config, view, j).Setup.N), Provision(config, view, verifier).Setup, config.Level);
}

/// <summary>Re-runs aux-info's checks on an accusation's evidence (for the parties, the aggregator and anyone else).</summary>
internal sealed class AuxInfoJudge(AuxInfoConfig config) : IBlameJudge
{
    public RoundShape Shape(int round, MessageView view) => AuxInfoVerification.Shape(round);

    public bool Confirms(Culprit accusation, int accuser, MessageView view)
    {
        var j = accusation.Party;
        switch (accusation.Check)
        {
            case AuxInfoChecks.Malformed:
                var m = accusation.Evidence[0];
                if (m.Sender != j || m.Kind != MessageKind.Round || m.Recipient is { } r && r != accuser)
                {
                    return false;
                }

                try
                {
                    AuxInfoVerification.Decode(config, view, m);
                    return false;
                }
                catch (DecodingException)
                {
                    return true;
                }

            case AuxInfoChecks.Decommitment or AuxInfoChecks.RingPedersen:
                return AuxInfoVerification.CheckOpening(config, view, j)?.Check == accusation.Check;
            case AuxInfoChecks.Modulus:
                return AuxInfoVerification.CheckModulus(config, view, j) is not null;
            case AuxInfoChecks.Factors:
                return AuxInfoVerification.CheckFactors(config, view, j, accuser, null) is not null;
            default:
                return false;
        }
    }
}
