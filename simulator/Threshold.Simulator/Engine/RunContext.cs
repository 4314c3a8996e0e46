using Threshold.Simulator.Network;

namespace Threshold.Simulator.Engine;

/// <summary>The shared machinery of one run: virtual time, the network, the transport, and each node's processor.</summary>
internal sealed class RunContext
{
    private readonly double[] busyUntil;

    public RunContext(EventQueue clock, NetworkModel network, Transport transport, ComputeModel compute, IReadOnlySet<int> malicious, int nodes)
    {
        Clock = clock;
        Network = network;
        Transport = transport;
        Compute = compute;
        Malicious = malicious;
        busyUntil = new double[nodes + 1];
    }

    public EventQueue Clock { get; }

    public NetworkModel Network { get; }

    public Transport Transport { get; }

    public ComputeModel Compute { get; }

    /// <summary>Nodes with a misbehaviour anywhere in the scenario.</summary>
    public IReadOnlySet<int> Malicious { get; }

    public bool IsHonest(int node) => !Malicious.Contains(node);

    /// <summary>When set, every step is recorded here (the calibration's raw material).</summary>
    public List<StepRecord>? Steps { get; set; }

    /// <summary>Records a step when steps are being recorded.</summary>
    public void Record(int party, int participants, int round, bool completes, double costMs, IEnumerable<Emitted> emitted) =>
        Steps?.Add(new StepRecord(Transport.PhaseName, party, participants, round, completes, costMs, [.. emitted]));

    /// <summary>
    /// Occupies <paramref name="node"/>'s processor for a step costing <paramref name="costMs"/> (scaled by
    /// its slowness), starting now or when its previous step ends; returns when this one ends.
    /// </summary>
    public double Occupy(int node, double costMs)
    {
        var start = Math.Max(Clock.Now, busyUntil[node]);
        busyUntil[node] = start + (costMs * Network.Slowness(node));
        return busyUntil[node];
    }
}
