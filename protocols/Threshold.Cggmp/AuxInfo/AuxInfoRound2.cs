using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Rounds;

namespace Threshold.Cggmp.Auxiliary;

/// <summary>
/// Checks every opening against V_j and every Πprm (in parallel), fixes ρ = ⊕ ρ_j, then proves Πmod
/// to everyone and Πfac to each party against that party's ring-Pedersen parameters.
/// </summary>
internal sealed class AuxInfoRound2(AuxInfoState state, IReadOnlyDictionary<int, byte[]> commitments, IReadOnlyDictionary<int, RoundMessage> round1) : Round<AuxInfo>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<AuxInfo> Finish(RoundInbox inbox)
    {
        var config = state.Config;
        var provisions = inbox.DecodeAll(broadcast: true, (_, payload) => Provision.Decode(config, payload));
        var opened = new List<int>();
        foreach (var (j, provision) in provisions)
        {
            if (!CryptographicOperations.FixedTimeEquals(AuxInfoProtocol.Commitment(config, j, provision), commitments[j]))
            {
                inbox.Blame(j, AuxInfoChecks.Decommitment, "opening does not match its round-1 commitment", round1[j], inbox.BroadcastFrom(j));
            }
            else
            {
                opened.Add(j);
            }
        }

        var verdicts = ParallelVerification.VerifyAll([.. opened.Select<int, Func<Verdict>>(j => () =>
            RingPedersenParametersProof.Verify(
                AuxInfoProtocol.Context(config, null, j),
                new RingPedersenParametersProof.Statement(provisions[j].Setup, config.Level),
                provisions[j].PrmProof))]);
        for (var k = 0; k < opened.Count; k++)
        {
            if (!verdicts[k].IsValid)
            {
                inbox.Blame(opened[k], AuxInfoChecks.RingPedersen, $"Πprm failed ({verdicts[k].FailedCheck})", inbox.BroadcastFrom(opened[k]));
            }
        }

        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<AuxInfo>();
        }

        var all = new Dictionary<int, Provision>(provisions) { [state.Self] = state.Provision };
        var rho = new byte[AuxInfoProtocol.RandomLength];
        foreach (var p in all.Values)
        {
            for (var b = 0; b < rho.Length; b++)
            {
                rho[b] ^= p.Rho[b];
            }
        }

        state.Judge.Joint = (rho, all);
        var context = AuxInfoProtocol.Context(config, rho, state.Self);
        using var modWitness = PaillierBlumModulusProof.Witness.From(state.Key);
        var mod = PaillierBlumModulusProof.Prove(context, PaillierBlumModulusProof.Statement.For(state.Key.PublicKey, config.Level), modWitness, state.Rng);
        using var facWitness = NoSmallFactorProof.Witness.From(state.Key);
        var direct = inbox.Others.ToDictionary(j => j, j =>
        {
            var statement = new NoSmallFactorProof.Statement(state.Key.PublicKey, all[j].Setup, config.Level);
            var proof = NoSmallFactorProof.Prove(context, statement, facWitness, state.Rng);
            return new Wire.AuxInfoFactorProof { Proof = ByteString.CopyFrom(proof.Encode()) }.ToByteArray();
        });
        var broadcast = new Wire.AuxInfoModulusProof { Proof = ByteString.CopyFrom(mod.Encode()) }.ToByteArray();
        var keys = all.ToDictionary(e => e.Key, e => e.Key == state.Self ? state.Key.PublicKey : new PaillierPublicKey(e.Value.Setup.N));
        var round2 = inbox.Others.ToDictionary(j => j, inbox.BroadcastFrom);
        return new RoundOutcome<AuxInfo>.Next(new AuxInfoRound3(state, rho, all, keys, round2), new Outgoing { Broadcast = broadcast, Direct = direct });
    }
}
