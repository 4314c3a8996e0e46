namespace Threshold.Simulator.Engine;

/// <summary>A message a step produced: its round, whether it is a broadcast (one copy per recipient) and its size.</summary>
internal readonly record struct Emitted(int Round, bool Broadcast, int Bytes);

/// <summary>
/// One state-machine step of a real-mode run, as the calibration sees it: which phase and party, the
/// round of the message delivered (0 for the start), whether it completed that round, what it cost and
/// what it sent.
/// </summary>
internal sealed record StepRecord(string Phase, int Party, int Participants, int Round, bool Completes, double CostMs, IReadOnlyList<Emitted> Emitted);
