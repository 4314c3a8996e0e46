using Threshold.Contracts.V1;
using Threshold.Paillier;

namespace Threshold.Aggregator;

/// <summary>How the aggregator runs.</summary>
public sealed record AggregatorOptions
{
    /// <summary>Every node, reachable through its client.</summary>
    public required IReadOnlyList<INodeClient> Nodes { get; init; }

    /// <summary>
    /// Every node as configured (id, party, identity, agreement and OPAQUE keys), one per client in
    /// <see cref="Nodes"/> by node id. The aggregator describes the cluster from these, not from calls,
    /// so it starts while nodes are down; a node is used once it answers with these keys.
    /// </summary>
    public required IReadOnlyList<NodeDescriptor> Members { get; init; }

    /// <summary>t.</summary>
    public required int Threshold { get; init; }

    /// <summary>Deadline of each call to a node (a protocol step, a login step).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many presignatures to keep ready per key at least (0, with no maximum set, turns the pool off).</summary>
    public int PoolTarget { get; init; } = 4;

    /// <summary>How many at most, however fast a key signs (null: 64, or 0 when <see cref="PoolTarget"/> is 0).</summary>
    public int? PoolMaxTarget { get; init; }

    /// <summary>Background presigning runs in flight at once per key (capped by the number of t-of-n signer sets).</summary>
    public int PoolConcurrentRuns { get; init; } = 2;

    /// <summary>The pool's supply settings these options give.</summary>
    public PresignatureSupplyOptions PoolSupply => new()
    {
        MinTarget = PoolTarget,
        MaxTarget = PoolMaxTarget ?? (PoolTarget == 0 ? 0 : Math.Max(64, PoolTarget)),
        ConcurrentRuns = PoolConcurrentRuns,
    };

    /// <summary>The cluster's curves and OPAQUE suite, for discovery.</summary>
    public string OpaqueSuite { get; init; } = "ristretto255-SHA512";

    /// <summary>How often a reachable node is probed (unreachable ones: with backoff from 1 s to 30 s).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one probe may take.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock of probes and their backoff, and of the protocol session ids it issues.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The cluster's Paillier level (the nodes bind it into every aux-info run; the aggregator needs it to judge them).</summary>
    public SecurityLevel Level { get; init; } = SecurityLevel.Bits2048;
}
