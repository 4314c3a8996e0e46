namespace Threshold.Simulator.Network;

/// <summary>
/// One direction of the link between two nodes: latency, bandwidth, loss, retransmission timeout, and
/// when it is next free (messages on one link are serialised one after another at its bandwidth).
/// </summary>
internal sealed class Link(Latency latency, double bandwidthMbps, double loss, double retransmitTimeoutMs)
{
    public Latency Latency { get; } = latency;

    public double Loss { get; } = loss;

    public double RetransmitTimeoutMs { get; } = retransmitTimeoutMs;

    /// <summary>Virtual time at which the link has finished sending what it was given.</summary>
    public double FreeAt { get; set; }

    /// <summary>How long <paramref name="bytes"/> take to go onto the wire.</summary>
    public double TransferMs(long bytes) => bytes * 8.0 / (bandwidthMbps * 1000.0);
}
