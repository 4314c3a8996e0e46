using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Testing;

namespace Threshold.Proofs.Tests;

/// <summary>
/// The three aux-info proofs together, as CGGMP21's aux-info round uses them (Fig. 6): every party
/// proves Πmod and Πprm once and Πfac per verifier, and each verifier checks all of them in parallel.
/// </summary>
public sealed class AuxInfoProofsTests
{
    [Fact]
    public void ProofsOfSeveralProversVerifyInParallelAndBlameTheRightOne()
    {
        var level = SecurityLevel.Bits2048;
        var sid = "aux-info-parallel"u8.ToArray();
        const int verifier = 3;
        var verifierSetup = TestSetups.RingPedersen(level, verifier);
        var checks = new List<Func<Verdict>>();
        foreach (var prover in new[] { 0, 1, 2 })
        {
            var context = new ProofContext(sid, prover);
            var rng = new SeededRandom($"aux {prover}");
            var key = TestPrimes.PaillierKey(level, prover);
            var setup = TestSetups.RingPedersen(level, prover);

            var mod = PaillierBlumModulusProof.Statement.For(key.PublicKey, level);
            using var modWitness = PaillierBlumModulusProof.Witness.From(key);
            var modProof = PaillierBlumModulusProof.Prove(context, mod, modWitness, rng);

            var prm = new RingPedersenParametersProof.Statement(setup.Parameters, level);
            var prmProof = RingPedersenParametersProof.Prove(context, prm, new RingPedersenParametersProof.Witness(setup), rng);

            var fac = new NoSmallFactorProof.Statement(key.PublicKey, verifierSetup.Parameters, level);
            using var facWitness = NoSmallFactorProof.Witness.From(key);
            var facProof = NoSmallFactorProof.Prove(context, fac, facWitness, rng);
            if (prover == 1)
            {
                facProof = facProof with { V = facProof.V - 1 }; // party 1 cheats in its Πfac to the verifier
            }

            checks.Add(() => PaillierBlumModulusProof.Verify(context, mod, modProof));
            checks.Add(() => RingPedersenParametersProof.Verify(context, prm, prmProof));
            checks.Add(() => NoSmallFactorProof.Verify(context, fac, facProof, verifierSetup));
        }

        var verdicts = ParallelVerification.VerifyAll(checks);
        Assert.Equal(9, verdicts.Count);
        Assert.Equal([5], Enumerable.Range(0, 9).Where(i => !verdicts[i].IsValid));
        Assert.Equal(NoSmallFactorProof.Checks.Equality3, verdicts[5].FailedCheck);
    }
}

public sealed class SoundnessParameterTests
{
    [Fact]
    public void BinaryChallengeProofsRepeatAsOftenAsTheLevelIsStrong()
    {
        // Fiat–Shamir grinding of Πmod and Πprm costs 2^m hash evaluations: at least the level's security.
        Assert.True(Threshold.Paillier.SecurityLevel.Bits2048.Repetitions >= 112);
        Assert.True(Threshold.Paillier.SecurityLevel.Bits3072.Repetitions >= 128);
    }
}
