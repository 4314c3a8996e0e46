using Threshold.Rounds;
using Threshold.Simulator.Network;
using Threshold.Simulator.Reports;

namespace Threshold.Simulator.Engine;

/// <summary>A message on its way from one node to another, tagged with the phase that sent it.</summary>
/// <param name="Phase">The phase's position in the run; packets of a finished phase are dropped.</param>
/// <param name="From">Sender node.</param>
/// <param name="To">Recipient node.</param>
/// <param name="Bytes">Its real serialized size.</param>
/// <param name="Payload">What the recipient's state machine is given.</param>
internal sealed record Packet(int Phase, int From, int To, int Bytes, object Payload);

/// <summary>
/// Reliable delivery over the lossy links: each transmission waits for its link to be free, takes
/// size / bandwidth to send and a latency draw to arrive. A transmission that is lost (a loss draw, a
/// partition, the recipient down) is sent again one retransmission timeout later, until it arrives or
/// its phase ends. A sender that is down holds its messages until it is up.
/// </summary>
internal sealed class Transport(EventQueue clock, NetworkModel network, Random random, int nodes)
{
    private string phaseName = "";

    /// <summary>The current phase's name.</summary>
    public string PhaseName => phaseName;

    /// <summary>Packets of other phases are dropped.</summary>
    public int CurrentPhase { get; private set; } = -1;

    /// <summary>Messages first sent by each node in the current phase.</summary>
    public int[] Messages { get; } = new int[nodes + 1];

    /// <summary>Bytes each node put on the wire in the current phase (fan-out and retransmissions included).</summary>
    public long[] WireBytes { get; } = new long[nodes + 1];

    /// <summary>Retransmissions by each node in the current phase.</summary>
    public int[] Retransmissions { get; } = new int[nodes + 1];

    /// <summary>When set, every transmission is recorded here (sent, arrived or lost).</summary>
    public List<Transmission>? Trace { get; set; }

    /// <summary>Whoever receives packets of the current phase.</summary>
    public Action<Packet>? Arrived { get; set; }

    /// <summary>Starts a phase: earlier packets are dropped, counters start from zero.</summary>
    public void BeginPhase(int phase, string name)
    {
        CurrentPhase = phase;
        phaseName = name;
        Array.Clear(Messages);
        Array.Clear(WireBytes);
        Array.Clear(Retransmissions);
    }

    /// <summary>Sends now.</summary>
    public void Send(Packet packet) => Transmit(packet, resend: false);

    private void Transmit(Packet packet, bool resend)
    {
        if (packet.Phase != CurrentPhase)
        {
            return;
        }

        var link = network.Link(packet.From, packet.To);
        if (network.IsDown(packet.From))
        {
            clock.At(clock.Now + link.RetransmitTimeoutMs, () => Transmit(packet, resend));
            return;
        }

        if (resend)
        {
            Retransmissions[packet.From]++;
        }
        else
        {
            Messages[packet.From]++;
        }

        WireBytes[packet.From] += packet.Bytes;
        var start = Math.Max(clock.Now, link.FreeAt);
        link.FreeAt = start + link.TransferMs(packet.Bytes);
        var lost = random.NextDouble() < link.Loss;
        var arrival = link.FreeAt + link.Latency.Sample(random);
        if (lost || !network.Connected(packet.From, packet.To))
        {
            Record(packet, start, null, resend);
            clock.At(link.FreeAt + link.RetransmitTimeoutMs, () => Transmit(packet, resend: true));
            return;
        }

        clock.At(arrival, () =>
        {
            if (packet.Phase != CurrentPhase)
            {
                return;
            }

            if (!network.Connected(packet.From, packet.To))
            {
                // Cut off in flight (a partition or a crash while it travelled): no acknowledgement, so it goes again.
                Record(packet, start, null, resend);
                clock.At(start + link.RetransmitTimeoutMs, () => Transmit(packet, resend: true));
                return;
            }

            Record(packet, start, clock.Now, resend);
            Arrived?.Invoke(packet);
        });
    }

    private void Record(Packet packet, double sent, double? arrived, bool resend) =>
        Trace?.Add(new Transmission(
            phaseName,
            packet.Payload switch
            {
                RoundMessage m => m.Round,
                SkeletonMessage s => s.Round,
                _ => 1,
            },
            packet.Payload switch
            {
                SkeletonMessage s => s.Kind,
                RoundMessage { IsAbort: true } => "abort",
                RoundMessage { IsConfirmation: true } => "confirmation",
                RoundMessage { IsBroadcast: true } => "broadcast",
                RoundMessage => "direct",
                _ => "partial-signature",
            },
            packet.From,
            packet.To,
            packet.Bytes,
            Math.Round(sent, 3),
            arrived is { } a ? Math.Round(a, 3) : null,
            resend));
}
