using System.Security.Cryptography;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;

namespace Threshold.Cggmp.Auxiliary;

/// <summary>The check codes aux-info blames with.</summary>
public static class AuxInfoChecks
{
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
/// Re-checks accusations of other parties' complaints against the signed evidence. Πmod and Πfac
/// depend on ρ, which this party knows once it has seen every opening.
/// </summary>
internal sealed class AuxInfoJudge(AuxInfoConfig config) : IBlameJudge
{
    /// <summary>The joint ρ and every party's opening, once known.</summary>
    public (byte[] Rho, IReadOnlyDictionary<int, Provision> Provisions)? Joint { get; set; }

    public bool? Confirms(Culprit accusation, int accuser)
    {
        var e = accusation.Evidence;
        var culprit = accusation.Party;
        if (e.Any(m => m.Sender != culprit))
        {
            return false;
        }

        try
        {
            switch (accusation.Check)
            {
                case AuxInfoChecks.Decommitment when Shape(e, (1, true), (2, true)):
                    var hash = WireCodec.Parse(Wire.AuxInfoCommitment.Parser, e[0].Payload, "commitment").Hash.ToByteArray();
                    return !CryptographicOperations.FixedTimeEquals(hash, AuxInfoProtocol.Commitment(config, culprit, Provision.Decode(config, e[1].Payload)));
                case AuxInfoChecks.RingPedersen when Shape(e, (2, true)):
                    var provision = Provision.Decode(config, e[0].Payload);
                    return !RingPedersenParametersProof.Verify(
                        AuxInfoProtocol.Context(config, null, culprit),
                        new RingPedersenParametersProof.Statement(provision.Setup, config.Level),
                        provision.PrmProof).IsValid;
                case AuxInfoChecks.Modulus when Shape(e, (3, true)) && Joint is { } joint:
                    var statement = PaillierBlumModulusProof.Statement.For(new PaillierPublicKey(joint.Provisions[culprit].Setup.N), config.Level);
                    var mod = PaillierBlumModulusProof.Proof.Decode(statement, WireCodec.Parse(Wire.AuxInfoModulusProof.Parser, e[0].Payload, "Πmod").Proof.Span);
                    return !PaillierBlumModulusProof.Verify(AuxInfoProtocol.Context(config, joint.Rho, culprit), statement, mod).IsValid;
                case AuxInfoChecks.Factors when Shape(e, (2, true), (3, false)) && e[1].Recipient == accuser && Joint is { } joint:
                    var facStatement = new NoSmallFactorProof.Statement(
                        new PaillierPublicKey(Provision.Decode(config, e[0].Payload).Setup.N),
                        joint.Provisions[accuser].Setup,
                        config.Level);
                    var fac = NoSmallFactorProof.Proof.Decode(facStatement, WireCodec.Parse(Wire.AuxInfoFactorProof.Parser, e[1].Payload, "Πfac").Proof.Span);
                    return !NoSmallFactorProof.Verify(AuxInfoProtocol.Context(config, joint.Rho, culprit), facStatement, fac).IsValid;
                case AuxInfoChecks.Decommitment or AuxInfoChecks.RingPedersen:
                    return false;
                default:
                    return null;
            }
        }
        catch (DecodingException)
        {
            return false;
        }
    }

    private static bool Shape(IReadOnlyList<RoundMessage> evidence, params (int Round, bool Broadcast)[] shape) =>
        evidence.Count == shape.Length && evidence.Zip(shape).All(x => x.First.Round == x.Second.Round && x.First.IsBroadcast == x.Second.Broadcast);
}
