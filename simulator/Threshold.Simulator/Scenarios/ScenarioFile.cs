using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Threshold.Simulator.Scenarios;

/// <summary>Reads scenario files (YAML, snake_case keys) and checks them before anything runs.</summary>
public static class ScenarioFile
{
    /// <summary>Reads and validates the scenario at <paramref name="path"/>; relative file names in it are resolved against its folder.</summary>
    /// <exception cref="ScenarioException">The file does not parse or describes an impossible scenario.</exception>
    public static Scenario Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var scenario = Parse(File.ReadAllText(path));
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (scenario.Primes is { } primes)
        {
            scenario.Primes = Path.GetFullPath(primes, folder);
        }

        if (scenario.Compute.Calibration is { } calibration)
        {
            scenario.Compute.Calibration = Path.GetFullPath(calibration, folder);
        }

        foreach (var latency in AllLatencies(scenario).Where(l => l.File is not null))
        {
            latency.File = Path.GetFullPath(latency.File!, folder);
        }

        return scenario;
    }

    /// <summary>Parses and validates scenario text.</summary>
    /// <exception cref="ScenarioException">The text does not parse or describes an impossible scenario.</exception>
    public static Scenario Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        Scenario scenario;
        try
        {
            scenario = deserializer.Deserialize<Scenario?>(yaml) ?? new Scenario();
        }
        catch (YamlException e)
        {
            throw new ScenarioException($"scenario does not parse at line {e.Start.Line}: {e.InnerException?.Message ?? e.Message}", e);
        }

        Validate(scenario);
        return scenario;
    }

    /// <summary>Checks every field a run depends on.</summary>
    /// <exception cref="ScenarioException">The first problem found.</exception>
    public static void Validate(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        Require(scenario.N is >= 2 and <= 64, $"n = {scenario.N}: must be 2..64");
        Require(scenario.T >= 1 && scenario.T <= scenario.N, $"t = {scenario.T}: must be 1..n");
        Require(scenario.Repetitions is >= 1 and <= 10_000, "repetitions must be 1..10000");
        Require(scenario.PhaseTimeoutMs > 0, "phase_timeout_ms must be positive");
        Require(scenario.SecurityLevel is 2048 or 3072, $"security_level {scenario.SecurityLevel}: 2048 or 3072");
        try
        {
            _ = Curves.Curve.FromName(scenario.Curve);
        }
        catch (ArgumentException e)
        {
            throw new ScenarioException($"curve '{scenario.Curve}': {e.Message}", e);
        }

        var phases = scenario.Phases.Select(PhaseNames.Parse).ToList();
        Require(phases.Count > 0 && phases.Distinct().Count() == phases.Count, "phases must be listed once each");
        Require(phases.SequenceEqual(phases.Order()), "phases must be in the order keygen, refresh, aux-info, presign, sign");
        if (scenario.Signers is { } signers)
        {
            Require(signers.Count >= scenario.T && signers.Distinct().Count() == signers.Count && signers.All(Node), $"signers must be at least t distinct nodes of 1..{scenario.N}");
        }

        Require(scenario.Compute.Mode is "real" or "fixed" or "cost", $"compute mode '{scenario.Compute.Mode}': real, fixed or cost");
        Require(scenario.Compute.Mode != "cost" || scenario.Behaviours.Count == 0, "behaviours need real or fixed compute: the cost model knows sizes and costs, not message contents");
        Require(scenario.Compute.Clock is "wall" || (scenario.Compute.Clock is "cpu" && Engine.CpuClock.Available), $"compute clock '{scenario.Compute.Clock}': wall, or cpu (Linux)");
        Require(scenario.Compute.StepMs >= 0, "compute step_ms must not be negative");
        CheckLink(scenario.Network.Default, "network default");
        foreach (var link in scenario.Network.Links)
        {
            Require(link.Between.Count == 2 && link.Between.All(g => g.Count > 0 && g.All(Node)), $"a link override needs between: [[nodes], [nodes]] of 1..{scenario.N}");
            CheckLink(link, $"link {Describe(link.Between)}");
        }

        foreach (var e in scenario.Events)
        {
            var where = $"event '{e.Kind}' at {e.AtMs} ms";
            Require(e.AtMs >= 0, $"{where}: at_ms must not be negative");
            if (e.Phase is not null)
            {
                Require(phases.Contains(PhaseNames.Parse(e.Phase)), $"{where}: phase {e.Phase} is not run");
            }

            switch (e.Kind)
            {
                case "partition":
                    Require(e.Groups is { Count: > 0 } g && g.All(x => x.All(Node)) && g.SelectMany(x => x).Distinct().Count() == g.Sum(x => x.Count), $"{where}: groups must be disjoint lists of nodes");
                    break;
                case "heal":
                    break;
                case "crash" or "recover":
                    Require(e.Node is { } n && Node(n), $"{where}: node must be one of 1..{scenario.N}");
                    break;
                case "slow":
                    Require(e.Node is { } s && Node(s) && e.Factor > 0, $"{where}: node of 1..{scenario.N} and a positive factor");
                    break;
                default:
                    throw new ScenarioException($"{where}: kind must be partition, heal, crash, recover or slow");
            }
        }

        foreach (var b in scenario.Behaviours)
        {
            var where = $"behaviour of node {b.Node}";
            Require(Node(b.Node), $"{where}: node must be one of 1..{scenario.N}");
            Require(Enum.TryParse<Adversary.Misbehaviour>(b.Misbehaviour, ignoreCase: true, out _), $"{where}: unknown misbehaviour '{b.Misbehaviour}' ({string.Join(", ", Enum.GetNames<Adversary.Misbehaviour>())})");
            Require(phases.Contains(PhaseNames.Parse(b.Phase)), $"{where}: phase '{b.Phase}' is not run");
            var behaviour = Enum.Parse<Adversary.Misbehaviour>(b.Misbehaviour, ignoreCase: true);
            var phase = PhaseNames.Parse(b.Phase);
            Require(FitsPhase(behaviour, phase), $"{where}: {behaviour} does not act in {phase.Name()}");
            Require(b.Round >= 1, $"{where}: round must be at least 1");
            Require(b.Targets is null || b.Targets.All(t => Node(t) && t != b.Node), $"{where}: targets must be other nodes");
        }

        Require(scenario.Behaviours.Select(b => b.Node).Distinct().Count() < scenario.N, "at least one node must be honest");

        bool Node(int i) => i >= 1 && i <= scenario.N;
    }

    /// <summary>Deviations from inside a state machine exist in one phase each; signing knows only wrong or withheld partial signatures.</summary>
    private static bool FitsPhase(Adversary.Misbehaviour behaviour, Phase phase) => behaviour switch
    {
        Adversary.Misbehaviour.WrongDelta or Adversary.Misbehaviour.WrongChiCommitment or Adversary.Misbehaviour.BadEncryptionProof => phase == Phase.Presign,
        Adversary.Misbehaviour.BadProvision => phase == Phase.AuxInfo,
        Adversary.Misbehaviour.WrongPartialSignature => phase == Phase.Sign,
        Adversary.Misbehaviour.Withhold => true,
        _ => phase != Phase.Sign,
    };

    private static void CheckLink(LinkSpec link, string where)
    {
        Require(link.BandwidthMbps is null or > 0, $"{where}: bandwidth_mbps must be positive");
        Require(link.Loss is null or (>= 0 and < 1), $"{where}: loss must be in [0, 1)");
        Require(link.RetransmitTimeoutMs is null or > 0, $"{where}: retransmit_timeout_ms must be positive");
        if (link.Latency is { } l)
        {
            Require(l.Distribution is "constant" or "normal" or "lognormal" or "csv", $"{where}: latency distribution '{l.Distribution}': constant, normal, lognormal or csv");
            Require(l.Ms >= 0 && l.MeanMs >= 0 && l.StddevMs >= 0 && l.MedianMs >= 0 && l.Sigma >= 0, $"{where}: latency parameters must not be negative");
            Require(l.Distribution != "lognormal" || l.MedianMs > 0, $"{where}: lognormal needs median_ms > 0");
            Require(l.Distribution != "csv" || l.File is not null, $"{where}: csv latency needs file");
        }
    }

    private static IEnumerable<LatencySpec> AllLatencies(Scenario scenario) =>
        new LinkSpec[] { scenario.Network.Default }.Concat(scenario.Network.Links).Select(l => l.Latency).OfType<LatencySpec>();

    private static string Describe(List<List<int>> groups) => string.Join(" ↔ ", groups.Select(g => $"[{string.Join(",", g)}]"));

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ScenarioException(message);
        }
    }
}
