namespace Threshold.Simulator.Scenarios;

/// <summary>
/// One scenario file: the cluster (n, t, curve, Paillier level), the phases to run, the network, the
/// schedule of events, the Byzantine parties, and how often to repeat it from which seed.
/// Property names map to snake_case keys in YAML (<c>phase_timeout_ms</c>).
/// </summary>
public sealed class Scenario
{
    /// <summary>A short name, echoed in the report.</summary>
    public string Name { get; set; } = "scenario";

    /// <summary>What the scenario shows (free text).</summary>
    public string? Description { get; set; }

    /// <summary>Number of parties (nodes 1..n).</summary>
    public int N { get; set; } = 3;

    /// <summary>Signers needed (t counts signers: 2-of-3 has t = 2).</summary>
    public int T { get; set; } = 2;

    /// <summary>secp256k1 or P-256.</summary>
    public string Curve { get; set; } = "secp256k1";

    /// <summary>Paillier modulus bits: 2048 or 3072.</summary>
    public int SecurityLevel { get; set; } = 2048;

    /// <summary>Phases in order: keygen, refresh, aux-info, presign, sign. A phase not listed is set up offstage (not timed) when a later one needs it.</summary>
    public List<string> Phases { get; set; } = ["keygen", "aux-info", "presign", "sign"];

    /// <summary>The signer set of presigning and signing (default: parties 1..t).</summary>
    public List<int>? Signers { get; set; }

    /// <summary>How many independent runs (each from its own seed derived from <see cref="Seed"/>).</summary>
    public int Repetitions { get; set; } = 1;

    /// <summary>The seed every random choice derives from.</summary>
    public string Seed { get; set; } = "threshold";

    /// <summary>Virtual time a phase may take before it is aborted as stalled.</summary>
    public double PhaseTimeoutMs { get; set; } = 60_000;

    /// <summary>A safe-prime pool file (relative to the scenario file) for aux-info; the simulator's default supply when absent.</summary>
    public string? Primes { get; set; }

    /// <summary>How computation is charged to virtual time.</summary>
    public ComputeSpec Compute { get; set; } = new();

    /// <summary>The network.</summary>
    public NetworkSpec Network { get; set; } = new();

    /// <summary>Partitions, heals, crashes, recoveries and slow nodes over time.</summary>
    public List<EventSpec> Events { get; set; } = [];

    /// <summary>Byzantine parties and what they do.</summary>
    public List<BehaviourSpec> Behaviours { get; set; } = [];
}

/// <summary>How each step of a state machine is charged to virtual time.</summary>
public sealed class ComputeSpec
{
    /// <summary>
    /// <c>real</c>: the measured wall time of each step (exact for this machine, not reproducible);
    /// <c>fixed</c>: <see cref="StepMs"/> per step (reproducible byte for byte);
    /// <c>cost</c>: no cryptography, each step charged from a calibration table (fast, reproducible, for large n).
    /// </summary>
    public string Mode { get; set; } = "real";

    /// <summary>
    /// <c>cost</c> mode: a table written by <c>threshold sim calibrate</c> (relative to the scenario);
    /// absent, the table committed under simulator/calibration/.
    /// </summary>
    public string? Calibration { get; set; }

    /// <summary>
    /// <c>real</c> mode: <c>wall</c> (a step costs its wall time) or <c>cpu</c> (the process CPU time it
    /// used, all threads: what a shared machine's other load does not inflate; Linux only).
    /// </summary>
    public string Clock { get; set; } = "wall";

    /// <summary>Cost of one step in <c>fixed</c> mode.</summary>
    public double StepMs { get; set; } = 1;
}

/// <summary>The default link between any two nodes, and overrides for some of them.</summary>
public sealed class NetworkSpec
{
    /// <summary>Every link not overridden.</summary>
    public LinkSpec Default { get; set; } = new();

    /// <summary>Overrides, applied in order (a later one wins).</summary>
    public List<LinkOverrideSpec> Links { get; set; } = [];
}

/// <summary>One direction of a link between two nodes.</summary>
public class LinkSpec
{
    /// <summary>One-way latency.</summary>
    public LatencySpec? Latency { get; set; }

    /// <summary>Bandwidth in megabits per second (transfer time = size / bandwidth).</summary>
    public double? BandwidthMbps { get; set; }

    /// <summary>Probability that one transmission is lost (then resent after the retransmission timeout).</summary>
    public double? Loss { get; set; }

    /// <summary>How long a sender waits before resending a lost message.</summary>
    public double? RetransmitTimeoutMs { get; set; }
}

/// <summary>Link settings for every pair of nodes across two groups (both directions).</summary>
public sealed class LinkOverrideSpec : LinkSpec
{
    /// <summary>Two groups of nodes, e.g. <c>[[1], [2, 3]]</c>.</summary>
    public List<List<int>> Between { get; set; } = [];
}

/// <summary>A latency distribution.</summary>
public sealed class LatencySpec
{
    /// <summary><c>constant</c>, <c>normal</c>, <c>lognormal</c> or <c>csv</c>.</summary>
    public string Distribution { get; set; } = "constant";

    /// <summary>Constant: the latency.</summary>
    public double Ms { get; set; }

    /// <summary>Normal: the mean.</summary>
    public double MeanMs { get; set; }

    /// <summary>Normal: the standard deviation (samples below zero are cut to zero).</summary>
    public double StddevMs { get; set; }

    /// <summary>Log-normal: the median (e^μ).</summary>
    public double MedianMs { get; set; }

    /// <summary>Log-normal: σ of the logarithm.</summary>
    public double Sigma { get; set; }

    /// <summary>CSV: a file of measured round-trip times in ms (first column; relative to the scenario); one-way latency is half a sampled RTT.</summary>
    public string? File { get; set; }
}

/// <summary>
/// Something that happens to the network at a virtual time: <c>partition</c> (groups that cannot reach
/// each other), <c>heal</c>, <c>crash</c> and <c>recover</c> of a node, <c>slow</c> (a node's compute
/// multiplied by <see cref="Factor"/>; 1 restores it).
/// </summary>
public sealed class EventSpec
{
    /// <summary>When, in ms after the start of the run or, with <see cref="Phase"/>, of that phase.</summary>
    public double AtMs { get; set; }

    /// <summary>The phase whose start <see cref="AtMs"/> counts from (none: the run's start).</summary>
    public string? Phase { get; set; }

    /// <summary>partition, heal, crash, recover or slow.</summary>
    public string Kind { get; set; } = "";

    /// <summary>Partition: the groups (nodes not listed form one more group).</summary>
    public List<List<int>>? Groups { get; set; }

    /// <summary>Crash, recover, slow: the node.</summary>
    public int? Node { get; set; }

    /// <summary>Slow: the compute multiplier.</summary>
    public double Factor { get; set; } = 1;
}

/// <summary>A Byzantine node: one misbehaviour of the Threshold.Adversary catalogue, aimed at one phase and round.</summary>
public sealed class BehaviourSpec
{
    /// <summary>The malicious node.</summary>
    public int Node { get; set; }

    /// <summary>A <c>Misbehaviour</c> name, e.g. TamperField, Withhold, WrongDelta, WrongPartialSignature.</summary>
    public string Misbehaviour { get; set; } = "";

    /// <summary>The phase it acts in.</summary>
    public string Phase { get; set; } = "";

    /// <summary>The round whose messages it acts on (message-level misbehaviours).</summary>
    public int Round { get; set; } = 1;

    /// <summary>The recipients affected (default: every other party).</summary>
    public List<int>? Targets { get; set; }
}
