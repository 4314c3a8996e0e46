using Google.Protobuf;
using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Rounds;

namespace Threshold.Cggmp.Auxiliary;

/// <summary>
/// Checks every opening against V_j and every Πprm (in parallel), fixes ρ = ⊕ ρ_j, then proves Πmod
/// to everyone and Πfac to each party against that party's ring-Pedersen parameters.
/// </summary>
internal sealed class AuxInfoRound2(AuxInfoState state) : Round<AuxInfo>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => false;

    public override RoundOutcome<AuxInfo> Finish(RoundInbox inbox)
    {
        var config = state.Config;
        var provisions = inbox.DecodeAll(broadcast: true, AuxInfoChecks.Malformed, (j, _, view) => AuxInfoVerification.Provision(config, view, j));
        inbox.CheckAll(inbox.Others, (j, view) => AuxInfoVerification.CheckOpening(config, view, j));
        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<AuxInfo>();
        }

        var all = new Dictionary<int, Provision>(provisions) { [state.Self] = state.Provision };
        var rho = AuxInfoVerification.Rho(config, inbox.View(state.Self));
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
        return new RoundOutcome<AuxInfo>.Next(new AuxInfoRound3(state, all, keys), new Outgoing { Broadcast = broadcast, Direct = direct });
    }

    public override void Discard() => state.Discard();
}
