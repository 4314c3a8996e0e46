using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Threshold.Cggmp.KeyGeneration;
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
        status("keygen (warm-up)");
        RunKeygen(curve, threshold, parties);
        var samples = new List<RunReport<KeyShare>>();
        for (var r = 0; r < runs; r++)
        {
            status($"keygen run {r + 1}/{runs}");
            samples.Add(RunKeygen(curve, threshold, parties));
        }

        phases.AddRange(Summarise("keygen", samples));
        return new ProtocolReport(parties, threshold, curve.Name, level.Name, runs, MachineInfo.Current(), phases);
    }

    private static RunReport<KeyShare> RunKeygen(Curve curve, int threshold, int n)
    {
        var (signers, directory) = EcdsaPartyKeys.Generate(n);
        var indices = Enumerable.Range(1, n).ToList();
        var config = new KeygenConfig(curve, threshold, indices, RandomNumberGenerator.GetBytes(32));
        var compute = new Dictionary<int, TimeSpan>();
        var list = indices.Select(i =>
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var party = Keygen.Create(config, new PartyIdentity(signers[i - 1], directory), RandomNumberGenerator.Create());
            compute[i] = watch.Elapsed;
            return party;
        }).ToList();
        var report = InMemoryNetwork.Run(list);
        if (!report.AllCompleted)
        {
            throw new InvalidOperationException("keygen did not complete: " + string.Join("; ", list.SelectMany(p => p.Culprits).Select(c => c.Reason)));
        }

        return report with { ComputeTime = report.ComputeTime.ToDictionary(e => e.Key, e => e.Value + compute[e.Key]) };
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
