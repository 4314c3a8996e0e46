using System.Security.Cryptography;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Primes;
using Threshold.Rounds;

namespace Threshold.Adversary;

/// <summary>
/// State machines of parties that may deviate from inside (a wrong δ_i, a corrupted provision): the
/// misbehaviours their own later steps must carry on, which no rewriting of their messages can give.
/// The campaign and the simulator make their parties here; message-level misbehaviours go through
/// <see cref="Adversary"/>.
/// </summary>
public static class DeviatingParties
{
    /// <summary>Whether <paramref name="behaviour"/> is made inside the party's state machine (not by rewriting its messages).</summary>
    public static bool IsInternal(Misbehaviour behaviour) =>
        behaviour is Misbehaviour.WrongDelta or Misbehaviour.WrongChiCommitment or Misbehaviour.BadEncryptionProof or Misbehaviour.BadProvision;

    /// <summary>An aux-info party; with <see cref="Misbehaviour.BadProvision"/> it commits to a provision whose Πprm does not verify.</summary>
    public static Party<AuxInfo> CreateAuxInfo(AuxInfoConfig config, PartyIdentity identity, RandomNumberGenerator rng, PrimePool primes, IReadOnlyCollection<Misbehaviour> deviations)
    {
        ArgumentNullException.ThrowIfNull(deviations);
        return AuxInfoProtocol.Create(
            config,
            identity,
            rng,
            primes,
            deviations.Contains(Misbehaviour.BadProvision) ? p => p with { PrmProof = p.PrmProof with { Z = [p.PrmProof.Z[0] + 1, .. p.PrmProof.Z.Skip(1)] } } : null);
    }

    /// <summary>
    /// A presigning party; with <see cref="Misbehaviour.WrongDelta"/>, <see cref="Misbehaviour.WrongChiCommitment"/>
    /// or <see cref="Misbehaviour.BadEncryptionProof"/> it deviates in that step (and carries it on).
    /// </summary>
    /// <param name="config">The signer set and chosen session id.</param>
    /// <param name="share">This party's key share.</param>
    /// <param name="aux">This party's aux info.</param>
    /// <param name="identity">This party's identity.</param>
    /// <param name="rng">This party's randomness.</param>
    /// <param name="deviations">What it does wrong (empty: honest).</param>
    /// <param name="random">Draws the corruption of a Πenc.</param>
    public static Party<Presignature> CreatePresign(PresignConfig config, KeyShare share, AuxInfo aux, PartyIdentity identity, RandomNumberGenerator rng, IReadOnlyCollection<Misbehaviour> deviations, Random random) =>
        CreatePresign(config, share, aux, identity, rng, deviations, proof => ProtobufMutator.Mutate(proof, random));

    /// <summary>As above, with a chosen corruption of the Πenc proofs (an exact fault, for tests that assert the check it fails).</summary>
    /// <param name="config">The signer set and chosen session id.</param>
    /// <param name="share">This party's key share.</param>
    /// <param name="aux">This party's aux info.</param>
    /// <param name="identity">This party's identity.</param>
    /// <param name="rng">This party's randomness.</param>
    /// <param name="deviations">What it does wrong (empty: honest).</param>
    /// <param name="corruptEncryptionProof">With <see cref="Misbehaviour.BadEncryptionProof"/>: turns each encoded Πenc into the one sent.</param>
    public static Party<Presignature> CreatePresign(PresignConfig config, KeyShare share, AuxInfo aux, PartyIdentity identity, RandomNumberGenerator rng, IReadOnlyCollection<Misbehaviour> deviations, Func<byte[], byte[]> corruptEncryptionProof)
    {
        ArgumentNullException.ThrowIfNull(deviations);
        ArgumentNullException.ThrowIfNull(share);
        var curve = share.PublicKey.Curve;
        var faults = deviations.Any(IsInternal)
            ? new PresignFaults(
                Delta: deviations.Contains(Misbehaviour.WrongDelta) ? d => d + Scalar.One(curve) : null,
                ChiCommitment: deviations.Contains(Misbehaviour.WrongChiCommitment) ? s => s + curve.Generator : null,
                EncProof: deviations.Contains(Misbehaviour.BadEncryptionProof) ? corruptEncryptionProof : null)
            : null;
        return Presign.Create(config, share, aux, identity, rng, faults);
    }

    /// <summary>The check codes an accusation in <paramref name="protocol"/> may name (the protocol's and the framework's), plus one made up.</summary>
    public static List<string> CheckCodes(AttackedProtocol protocol)
    {
        var type = protocol switch
        {
            AttackedProtocol.AuxInfo => typeof(AuxInfoChecks),
            AttackedProtocol.Presign => typeof(PresignChecks),
            _ => typeof(KeygenChecks),
        };
        var codes = type.GetFields().Concat(typeof(Checks).GetFields()).Select(f => (string)f.GetValue(null)!).ToList();
        codes.Add("made.up");
        return codes;
    }
}
