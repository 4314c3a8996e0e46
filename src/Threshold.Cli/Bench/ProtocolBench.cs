using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Presigning;
using Threshold.Primes;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Rounds;
using Threshold.Rounds.Runner;
using Threshold.Rounds.Signing;

namespace Threshold.Cli.Bench;

/// <summary>One party's cost in one phase: compute time, rounds, and bytes it sent in each round.</summary>
internal sealed record PhaseResult(
    string Phase,
    int Party,
    double ComputeMs,
    int Rounds,
    IReadOnlyList<long> BytesSentPerRound);

/// <summary>The report of <c>threshold bench protocol</c>.</summary>
internal sealed record ProtocolReport(
    int Parties,
    int Threshold,
    string Curve,
    string Level,
    int Runs,
    MachineInfo Machine,
    IReadOnlyList<PhaseResult> Phases)
{
    [JsonIgnore]
    public IEnumerable<string> PhaseNames => Phases.Select(p => p.Phase).Distinct();
}

/// <summary>
/// Runs the protocol phases in memory (all parties in this process, one after another, so per-party
/// compute time is measured without the parties competing for cores) and reports the median over runs.
/// </summary>
internal static class ProtocolBench
{
    public static ProtocolReport Run(int parties, int threshold, Curve curve, SecurityLevel level, int runs, Action<string> status)
    {
        var phases = new List<PhaseResult>();
        var (signers, directory) = EcdsaPartyKeys.Generate(parties);
        var indices = Enumerable.Range(1, parties).ToList();
        Func<int, PartyIdentity> identity = i => new PartyIdentity(signers[i - 1], directory);

        // Key generation.
        status("keygen (warm-up)");
        Keygen(curve, threshold, indices, identity);
        var keygens = Repeat(runs, r => status($"keygen run {r}/{runs}"), () => Keygen(curve, threshold, indices, identity));
        phases.AddRange(Summarise("keygen", keygens));
        var shares = keygens[^1].Parties.ToDictionary(p => p.Index, p => p.Result);

        // Aux-info, excluding prime generation: the primes are made first (as a node's pool would be).
        var primes = new List<System.Numerics.BigInteger>();
        for (var i = 0; i < 2 * parties; i++)
        {
            status($"generating {level.PrimeBits}-bit safe prime {i + 1}/{2 * parties} for aux-info (not timed)");
            primes.Add(SafePrimes.Generate(level.PrimeBits));
        }

        status("aux-info (warm-up)");
        AuxInfo(level, indices, identity, primes);
        var auxes = Repeat(runs, r => status($"aux-info run {r}/{runs}"), () => AuxInfo(level, indices, identity, primes));
        phases.AddRange(Summarise("auxinfo", auxes));
        var aux = auxes[^1].Parties.ToDictionary(p => p.Index, p => p.Result);

        // Presigning with every party signing, then one online signature per presignature.
        status("presign (warm-up)");
        Presign(indices, shares, aux, identity);
        var presigns = Repeat(runs, r => status($"presign run {r}/{runs}"), () => Presign(indices, shares, aux, identity));
        phases.AddRange(Summarise("presign", presigns));

        status("sign");
        var signTimes = indices.ToDictionary(i => i, _ => new List<double>());
        var combineTimes = new List<double>();
        var partialBytes = 0L;
        foreach (var report in presigns)
        {
            var digest = RandomNumberGenerator.GetBytes(32);
            var partials = new List<Threshold.Cggmp.Signing.PartialSignature>();
            foreach (var party in report.Parties)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                var partial = party.Result.Sign(digest);
                signTimes[party.Index].Add(watch.Elapsed.TotalMilliseconds);
                partialBytes = partial.Encode().Length;
                partials.Add(partial);
            }

            var combine = System.Diagnostics.Stopwatch.StartNew();
            Threshold.Cggmp.Signing.SignatureCombiner.Combine(report.Parties[0].Result.Commitments, digest, partials);
            combineTimes.Add(combine.Elapsed.TotalMilliseconds);
        }

        phases.AddRange(indices.Select(i => new PhaseResult("sign", i, Math.Round(Measurement.MedianOf(signTimes[i]), 4), 1, [partialBytes])));
        phases.Add(new PhaseResult("combine", 0, Math.Round(Measurement.MedianOf(combineTimes), 4), 0, []));
        return new ProtocolReport(parties, threshold, curve.Name, level.Name, runs, MachineInfo.Current(), phases);
    }

    private static List<RunReport<T>> Repeat<T>(int runs, Action<int> status, Func<RunReport<T>> run)
    {
        var reports = new List<RunReport<T>>();
        for (var r = 1; r <= runs; r++)
        {
            status(r);
            reports.Add(run());
        }

        return reports;
    }

    private static RunReport<KeyShare> Keygen(Curve curve, int threshold, List<int> indices, Func<int, PartyIdentity> identity)
    {
        var config = new KeygenConfig(curve, threshold, indices, RandomNumberGenerator.GetBytes(32));
        return Timed(indices, i => Threshold.Cggmp.KeyGeneration.Keygen.Create(config, identity(i), RandomNumberGenerator.Create()), "keygen");
    }

    private static RunReport<AuxInfo> AuxInfo(SecurityLevel level, List<int> indices, Func<int, PartyIdentity> identity, List<System.Numerics.BigInteger> primes)
    {
        var config = new AuxInfoConfig(level, indices, RandomNumberGenerator.GetBytes(32));
        var pools = indices.ToDictionary(i => i, i =>
        {
            var pool = new PrimePool();
            pool.Add(level.PrimeBits, primes[2 * (i - 1)]);
            pool.Add(level.PrimeBits, primes[(2 * (i - 1)) + 1]);
            return pool;
        });
        return Timed(indices, i => AuxInfoProtocol.Create(config, identity(i), RandomNumberGenerator.Create(), pools[i]), "aux-info");
    }

    private static RunReport<Presignature> Presign(List<int> indices, Dictionary<int, KeyShare> shares, Dictionary<int, AuxInfo> aux, Func<int, PartyIdentity> identity)
    {
        var config = new PresignConfig(indices, RandomNumberGenerator.GetBytes(32));
        return Timed(indices, i => Threshold.Cggmp.Presigning.Presign.Create(config, shares[i], aux[i], identity(i), RandomNumberGenerator.Create()), "presign");
    }

    /// <summary>Creates every party (timing each creation: round 1's work happens there) and runs them.</summary>
    private static RunReport<T> Timed<T>(List<int> indices, Func<int, Party<T>> create, string phase)
    {
        var created = new Dictionary<int, TimeSpan>();
        var parties = indices.Select(i =>
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var party = create(i);
            created[i] = watch.Elapsed;
            return party;
        }).ToList();
        var report = InMemoryNetwork.Run(parties);
        if (!report.AllCompleted)
        {
            throw new InvalidOperationException($"{phase} did not complete: " + string.Join("; ", parties.SelectMany(p => p.Culprits).Select(c => c.Reason)));
        }

        return report with { ComputeTime = report.ComputeTime.ToDictionary(e => e.Key, e => e.Value + created[e.Key]) };
    }

    private static IEnumerable<PhaseResult> Summarise<T>(string phase, IReadOnlyList<RunReport<T>> runs)
    {
        foreach (var party in runs[0].Parties)
        {
            var median = Measurement.MedianOf([.. runs.Select(r => r.ComputeTime[party.Index].TotalMilliseconds)]);
            yield return new PhaseResult(phase, party.Index, Math.Round(median, 3), party.Rounds, party.BytesSentPerRound);
        }
    }
}
