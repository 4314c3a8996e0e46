using System.Security.Cryptography;
using System.Text;
using Threshold.Adversary;
using Threshold.Aggregator;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Curves;
using Threshold.Randomness;
using Threshold.Rounds;
using Threshold.Rounds.Runner;
using Threshold.Simulator.Network;
using Threshold.Simulator.Reports;
using Threshold.Simulator.Scenarios;

namespace Threshold.Simulator.Engine;

/// <summary>One repetition: its network, its clock, and the outputs phases hand on.</summary>
internal sealed class ScenarioRun
{
    private readonly Scenario scenario;
    private readonly string seed;
    private readonly Fixtures fixtures;
    private readonly PrimeSupply primes;
    private readonly RunContext context;
    private readonly Curve curve;
    private readonly List<int> everyone;
    private readonly Simulator simulator;
    private readonly SignerSelection selection;
    private readonly List<int> signers;
    private IReadOnlyList<KeyShare>? shares;
    private IReadOnlyList<AuxInfo>? aux;
    private IReadOnlyDictionary<int, Presignature>? presignatures;

    public ScenarioRun(Simulator simulator, Scenario scenario, string seed, bool trace, SignerSelection selection)
    {
        this.simulator = simulator;
        this.selection = selection;

        // The aggregator's choice: t of the candidates, fewest recent failures first, then by index.
        signers = selection.Choose(scenario.Signers ?? Enumerable.Range(1, scenario.N));
        this.scenario = scenario;
        this.seed = seed;
        (fixtures, primes) = simulator.Setup(scenario);
        curve = Curve.FromName(scenario.Curve);
        everyone = [.. Enumerable.Range(1, scenario.N)];
        var clock = new EventQueue();
        var network = new NetworkModel(scenario);
        var transport = new Transport(clock, network, Draws("network"), scenario.N) { Trace = trace ? [] : null };
        context = new RunContext(clock, network, transport, new ComputeModel(scenario.Compute), scenario.Behaviours.Select(b => b.Node).ToHashSet(), scenario.N);
    }

    /// <summary>When set, every step of the run is recorded here.</summary>
    public List<StepRecord>? Steps
    {
        get => context.Steps;
        init => context.Steps = value;
    }

    public RunReport Execute(int repetition)
    {
        foreach (var e in scenario.Events.Where(e => e.Phase is null))
        {
            context.Clock.At(e.AtMs, () => context.Network.Apply(e));
        }

        PhaseDriver? current = null;
        context.Transport.Arrived = packet => current?.Receive(packet);
        var reports = new List<PhaseReport>();
        var start = 0.0;
        string? stopped = null;
        var phases = scenario.Phases.Select(PhaseNames.Parse).ToList();
        for (var position = 0; position < phases.Count; position++)
        {
            var phase = phases[position];
            if (stopped is not null)
            {
                reports.Add(Skipped(phase, start, stopped));
                continue;
            }

            if (context.Compute.Measured)
            {
                // A collection owed by the previous phase's allocations would otherwise land in this phase's first steps and be charged to them.
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            context.Transport.BeginPhase(position, phase.Name());
            var driver = Driver(phase, position);
            current = driver;
            context.Clock.At(start, driver.Start);
            context.Clock.At(start + scenario.PhaseTimeoutMs, driver.TimeOut);
            foreach (var e in scenario.Events.Where(e => e.Phase is not null && PhaseNames.Parse(e.Phase) == phase))
            {
                context.Clock.At(start + e.AtMs, () => context.Network.Apply(e));
            }

            while (!driver.Finished && context.Clock.Step())
            {
            }

            var report = driver.Report(phase.Name(), start);
            reports.Add(report);
            if (phase is Phase.Presign or Phase.Sign)
            {
                Learn(report.Outcome == PhaseOutcome.Completed);
            }

            stopped = Collect(phase, driver, report);
            start = driver.EndMs;
        }

        return new RunReport(repetition, seed, Math.Round(start, 3), reports) { Transmissions = context.Transport.Trace };
    }

    private PhaseDriver Driver(Phase phase, int position)
    {
        var rng = new SeededRandom($"{seed}/{phase.Name()}");
        var sessionId = Encoding.UTF8.GetBytes($"simulated {phase.Name()} {seed}");
        var adversaryRandom = Draws($"{phase.Name()}/adversary");
        if (scenario.Compute.Mode == "cost")
        {
            var profile = simulator.Calibration(scenario).Phase(phase.Name());
            return new CostDriver(context, position, phase is Phase.Presign or Phase.Sign ? Signers() : everyone, profile, phase == Phase.Sign, Draws($"{phase.Name()}/compute"));
        }

        switch (phase)
        {
            case Phase.Keygen:
                var keygen = new KeygenConfig(curve, scenario.T, everyone, sessionId);
                return new ProtocolDriver<KeyShare>(context, position, everyone, i => Keygen.Create(keygen, Identity(i), rng.Fork($"party-{i}")), Adversary(phase, everyone, adversaryRandom), Acting(phase));
            case Phase.Refresh:
                var old = shares ?? fixtures.Key(curve, scenario.T, scenario.N);
                return new ProtocolDriver<KeyShare>(context, position, everyone, i => KeyRefresh.Create(old[i - 1], sessionId, Identity(i), rng.Fork($"party-{i}")), Adversary(phase, everyone, adversaryRandom), Acting(phase));
            case Phase.AuxInfo:
                var config = new AuxInfoConfig(fixtures.Level, everyone, sessionId);
                var pool = primes.Pool(scenario.N);
                return new ProtocolDriver<AuxInfo>(context, position, everyone, i => DeviatingParties.CreateAuxInfo(config, Identity(i), rng.Fork($"party-{i}"), pool, Deviations(phase, i)), Adversary(phase, everyone, adversaryRandom), Acting(phase));
            case Phase.Presign:
                var signers = Signers();
                var keys = shares ?? fixtures.Key(curve, scenario.T, scenario.N);
                var auxInfo = aux ?? fixtures.Parties(scenario.N).Aux;
                var presign = new PresignConfig(signers, sessionId);
                return new ProtocolDriver<Presignature>(context, position, signers, i => DeviatingParties.CreatePresign(presign, keys[i - 1], auxInfo[i - 1], Identity(i), rng.Fork($"party-{i}"), Deviations(phase, i), adversaryRandom), Adversary(phase, signers, adversaryRandom), Acting(phase));
            default:
                var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"message {seed}"));
                var acting = scenario.Behaviours.Where(b => PhaseNames.Parse(b.Phase) == Phase.Sign).ToList();
                return new SignDriver(
                    context,
                    position,
                    presignatures ?? OffstagePresignatures(),
                    digest,
                    acting.Where(b => Is(b, Misbehaviour.WrongPartialSignature)).Select(b => b.Node).ToHashSet(),
                    acting.Where(b => Is(b, Misbehaviour.Withhold)).Select(b => b.Node).ToHashSet());
        }
    }

    /// <summary>Tells the aggregator's signer choice how a run of the signers went, as the aggregator does after each run.</summary>
    private void Learn(bool succeeded)
    {
        if (succeeded)
        {
            selection.Record(signers, new ProtocolOutcome(true, new Dictionary<int, Contracts.V1.ProtocolStep>(), [], [], []), true, new Dictionary<string, int>());
        }
        else
        {
            selection.Fail(signers);
        }
    }

    /// <summary>Hands a completed phase's outputs on; says why the following phases cannot run otherwise.</summary>
    private string? Collect(Phase phase, PhaseDriver driver, PhaseReport report)
    {
        if (report.Outcome != PhaseOutcome.Completed)
        {
            return $"{phase.Name()} {(report.Outcome == PhaseOutcome.TimedOut ? "timed out" : "aborted")}";
        }

        switch (driver)
        {
            case ProtocolDriver<KeyShare> d when d.Parties.Values.All(p => p.Status == PartyStatus.Completed):
                shares = [.. everyone.Select(i => d.Parties[i].Result)];
                return null;
            case ProtocolDriver<AuxInfo> d when d.Parties.Values.All(p => p.Status == PartyStatus.Completed):
                aux = [.. everyone.Select(i => d.Parties[i].Result)];
                return null;
            case ProtocolDriver<Presignature> d when d.Parties.Values.All(p => p.Status == PartyStatus.Completed):
                presignatures = d.Parties.ToDictionary(e => e.Key, e => e.Value.Result);
                return null;
            case SignDriver or CostDriver:
                return null;
            default:
                return $"a malicious party of {phase.Name()} has no output";
        }
    }

    private PhaseReport Skipped(Phase phase, double start, string why) =>
        new(phase.Name(), PhaseOutcome.Skipped, Math.Round(start, 3), Math.Round(start, 3), 0, [], 0, 0, 0, 0, 0, [], [], [], [], [], [], $"skipped: {why}");

    private List<int> Signers() => signers;

    /// <summary>Presignatures made outside virtual time, for a scenario that signs without simulating presigning.</summary>
    private Dictionary<int, Presignature> OffstagePresignatures()
    {
        var signers = Signers();
        var keys = shares ?? fixtures.Key(curve, scenario.T, scenario.N);
        var auxInfo = aux ?? fixtures.Parties(scenario.N).Aux;
        var config = new PresignConfig(signers, Encoding.UTF8.GetBytes($"offstage presign {seed}"));
        var rng = new SeededRandom($"{seed}/offstage-presign");
        var parties = signers.Select(i => Presign.Create(config, keys[i - 1], auxInfo[i - 1], Identity(i), rng.Fork($"party-{i}"))).ToList();
        return InMemoryNetwork.Run(parties).AllCompleted
            ? parties.ToDictionary(p => p.Index, p => p.Result)
            : throw new InvalidOperationException("honest offstage presigning failed");
    }

    private PartyIdentity Identity(int party)
    {
        var (signers, directory) = fixtures.Identities(scenario.N);
        return new PartyIdentity(signers[party - 1], directory);
    }

    private HashSet<Misbehaviour> Deviations(Phase phase, int party) =>
    [
        .. scenario.Behaviours.Where(b => b.Node == party && PhaseNames.Parse(b.Phase) == phase)
            .Select(b => Enum.Parse<Misbehaviour>(b.Misbehaviour, ignoreCase: true))
            .Where(DeviatingParties.IsInternal),
    ];

    /// <summary>The adversary for the message-level misbehaviours planned in <paramref name="phase"/> (none planned: null).</summary>
    private Adversary.Adversary? Adversary(Phase phase, IReadOnlyList<int> participants, Random random)
    {
        var plans = scenario.Behaviours
            .Where(b => PhaseNames.Parse(b.Phase) == phase && participants.Contains(b.Node))
            .Select(b => (b.Node, Behaviour: Enum.Parse<Misbehaviour>(b.Misbehaviour, ignoreCase: true), b))
            .Where(x => !DeviatingParties.IsInternal(x.Behaviour))
            .GroupBy(x => x.Node)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<PlannedMisbehaviour>)[.. g.Select(x => new PlannedMisbehaviour(x.Behaviour, x.b.Round, (x.b.Targets ?? [.. participants.Where(p => p != x.Node)]).ToHashSet()))]);
        if (plans.Count == 0)
        {
            return null;
        }

        var (signers, _) = fixtures.Identities(scenario.N);
        var attacked = phase switch
        {
            Phase.Refresh => AttackedProtocol.Refresh,
            Phase.AuxInfo => AttackedProtocol.AuxInfo,
            Phase.Presign => AttackedProtocol.Presign,
            _ => AttackedProtocol.Keygen,
        };
        return new Adversary.Adversary(plans.Keys.ToDictionary(k => k, k => signers[k - 1]), plans, participants, DeviatingParties.CheckCodes(attacked), [], random);
    }

    /// <summary>The nodes with a misbehaviour in <paramref name="phase"/>.</summary>
    private HashSet<int> Acting(Phase phase) => [.. scenario.Behaviours.Where(b => PhaseNames.Parse(b.Phase) == phase).Select(b => b.Node)];

    private static bool Is(BehaviourSpec behaviour, Misbehaviour what) => Enum.Parse<Misbehaviour>(behaviour.Misbehaviour, ignoreCase: true) == what;

    /// <summary>A generator for one purpose of this run, seeded from the run's seed.</summary>
    private Random Draws(string purpose) => new(BitConverter.ToInt32(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}/{purpose}")), 0));
}
