using Threshold.Paillier;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;

namespace Threshold.Cggmp.Auxiliary;

/// <summary>Verifies every party's Πmod and the Πfac it addressed here (in parallel), then outputs the aux info.</summary>
internal sealed class AuxInfoRound3(
    AuxInfoState state,
    byte[] rho,
    IReadOnlyDictionary<int, Provision> provisions,
    IReadOnlyDictionary<int, PaillierPublicKey> keys,
    IReadOnlyDictionary<int, RoundMessage> round2) : Round<AuxInfo>
{
    public override bool ExpectsBroadcast => true;

    public override bool ExpectsDirect => true;

    public override RoundOutcome<AuxInfo> Finish(RoundInbox inbox)
    {
        var config = state.Config;
        var mods = inbox.DecodeAll(broadcast: true, (j, payload) =>
            PaillierBlumModulusProof.Proof.Decode(
                PaillierBlumModulusProof.Statement.For(keys[j], config.Level),
                WireCodec.Parse(Wire.AuxInfoModulusProof.Parser, payload, "aux-info Πmod").Proof.Span));
        var facs = inbox.DecodeAll(broadcast: false, (j, payload) =>
            NoSmallFactorProof.Proof.Decode(
                FactorStatement(j),
                WireCodec.Parse(Wire.AuxInfoFactorProof.Parser, payload, "aux-info Πfac").Proof.Span));

        var checks = new List<(int Party, string Check, Func<Verdict> Verify, RoundMessage[] Evidence)>();
        foreach (var (j, proof) in mods)
        {
            var statement = PaillierBlumModulusProof.Statement.For(keys[j], config.Level);
            checks.Add((j, AuxInfoChecks.Modulus, () => PaillierBlumModulusProof.Verify(AuxInfoProtocol.Context(config, rho, j), statement, proof), [inbox.BroadcastFrom(j)]));
        }

        foreach (var (j, proof) in facs)
        {
            var statement = FactorStatement(j);
            checks.Add((j, AuxInfoChecks.Factors, () => NoSmallFactorProof.Verify(AuxInfoProtocol.Context(config, rho, j), statement, proof, state.RingPedersen), [round2[j], inbox.DirectFrom(j)]));
        }

        var verdicts = ParallelVerification.VerifyAll([.. checks.Select(c => c.Verify)]);
        for (var k = 0; k < checks.Count; k++)
        {
            if (!verdicts[k].IsValid && !inbox.Culprits.Any(c => c.Party == checks[k].Party))
            {
                inbox.Blame(checks[k].Party, checks[k].Check, $"{(checks[k].Check == AuxInfoChecks.Modulus ? "Πmod" : "Πfac")} failed ({verdicts[k].FailedCheck})", checks[k].Evidence);
            }
        }

        if (inbox.HasCulprits)
        {
            state.Discard();
            return inbox.Fail<AuxInfo>();
        }

        var setups = provisions.ToDictionary(e => e.Key, e => e.Value.Setup);
        return new RoundOutcome<AuxInfo>.Done(new AuxInfo(config.Level, state.Self, state.Key, state.RingPedersen, keys, setups));
    }

    /// <summary>Πfac by party j for this party: j's modulus against this party's ring-Pedersen parameters.</summary>
    private NoSmallFactorProof.Statement FactorStatement(int prover) =>
        new(keys[prover], state.RingPedersen.Parameters, state.Config.Level);
}
