using Threshold.Simulator.Scenarios;

namespace Threshold.Simulator.Network;

/// <summary>
/// The network of one run: a link per ordered pair of nodes, and the state the scenario's events change
/// over time (which groups are partitioned, which nodes are down, which are slow).
/// </summary>
internal sealed class NetworkModel
{
    private readonly Link[,] links;
    private readonly int[] group;
    private readonly bool[] down;
    private readonly double[] slowness;

    public NetworkModel(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var n = scenario.N;
        links = new Link[n + 1, n + 1];
        group = new int[n + 1];
        down = new bool[n + 1];
        slowness = [.. Enumerable.Repeat(1.0, n + 1)];
        var settings = new LinkSpec[n + 1, n + 1];
        for (var a = 1; a <= n; a++)
        {
            for (var b = 1; b <= n; b++)
            {
                settings[a, b] = scenario.Network.Default;
            }
        }

        foreach (var over in scenario.Network.Links)
        {
            foreach (var (a, b) in over.Between[0].SelectMany(a => over.Between[1].Select(b => (a, b))).Where(p => p.a != p.b))
            {
                settings[a, b] = Merge(settings[a, b], over);
                settings[b, a] = Merge(settings[b, a], over);
            }
        }

        var latencies = new Dictionary<LatencySpec, Latency>(ReferenceEqualityComparer.Instance);
        for (var a = 1; a <= n; a++)
        {
            for (var b = 1; b <= n; b++)
            {
                var s = settings[a, b];
                var latency = s.Latency is null ? Latency.From(null) : latencies.TryGetValue(s.Latency, out var made) ? made : latencies[s.Latency] = Latency.From(s.Latency);
                links[a, b] = new Link(latency, s.BandwidthMbps ?? 1000, s.Loss ?? 0, s.RetransmitTimeoutMs ?? 200);
            }
        }
    }

    /// <summary>The link from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public Link Link(int from, int to) => links[from, to];

    /// <summary>Whether a message can pass from one node to the other now (both up, same side of any partition).</summary>
    public bool Connected(int from, int to) => !down[from] && !down[to] && group[from] == group[to];

    /// <summary>Whether the node is down (crashed, not yet recovered).</summary>
    public bool IsDown(int node) => down[node];

    /// <summary>The node's compute multiplier.</summary>
    public double Slowness(int node) => slowness[node];

    /// <summary>Applies one scheduled event.</summary>
    public void Apply(EventSpec e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e.Kind)
        {
            case "partition":
                Array.Fill(group, 0);
                for (var g = 0; g < e.Groups!.Count; g++)
                {
                    e.Groups[g].ForEach(node => group[node] = g + 1);
                }

                break;
            case "heal":
                Array.Fill(group, 0);
                break;
            case "crash":
                down[e.Node!.Value] = true;
                break;
            case "recover":
                down[e.Node!.Value] = false;
                break;
            case "slow":
                slowness[e.Node!.Value] = e.Factor;
                break;
        }
    }

    private static LinkSpec Merge(LinkSpec under, LinkSpec over) => new()
    {
        Latency = over.Latency ?? under.Latency,
        BandwidthMbps = over.BandwidthMbps ?? under.BandwidthMbps,
        Loss = over.Loss ?? under.Loss,
        RetransmitTimeoutMs = over.RetransmitTimeoutMs ?? under.RetransmitTimeoutMs,
    };
}
