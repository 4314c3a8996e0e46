namespace Threshold.Simulator.Reports;

/// <summary>Everything a scenario's runs produced. Times are virtual milliseconds.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Seed">The seed the runs derive from.</param>
/// <param name="N">Parties.</param>
/// <param name="T">Signers needed.</param>
/// <param name="Curve">The curve.</param>
/// <param name="SecurityLevel">Paillier modulus bits.</param>
/// <param name="Compute">How computation was charged.</param>
/// <param name="Malicious">Nodes given a misbehaviour.</param>
/// <param name="Summary">Per phase, over all repetitions.</param>
/// <param name="Runs">Each repetition.</param>
public sealed record SimulationReport(
    string Scenario,
    string Seed,
    int N,
    int T,
    string Curve,
    int SecurityLevel,
    ComputeDescription Compute,
    IReadOnlyList<int> Malicious,
    IReadOnlyList<PhaseSummary> Summary,
    IReadOnlyList<RunReport> Runs);

/// <summary>How computation was charged to virtual time.</summary>
/// <param name="Mode"><c>real</c> (measured wall time of each step; not reproducible), <c>fixed</c> or <c>cost</c> (a calibration table; no cryptography runs).</param>
/// <param name="StepMs">The charge per step in fixed mode.</param>
/// <param name="Calibration">Cost mode: the machine the calibration table was measured on.</param>
public sealed record ComputeDescription(string Mode, double? StepMs, string? Calibration = null);

/// <summary>One repetition of the scenario.</summary>
/// <param name="Repetition">0-based.</param>
/// <param name="Seed">This repetition's seed.</param>
/// <param name="TotalMs">Virtual time until the last phase ended.</param>
/// <param name="Phases">Each phase, in order.</param>
public sealed record RunReport(int Repetition, string Seed, double TotalMs, IReadOnlyList<PhaseReport> Phases)
{
    /// <summary>Every transmission of the run, when a trace was asked for (not written to JSON).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<Transmission>? Transmissions { get; init; }
}

/// <summary>One transmission of a message (a resend is another one).</summary>
/// <param name="Phase">The phase that sent it.</param>
/// <param name="Round">Its round (1 for a partial signature).</param>
/// <param name="Kind">broadcast (one copy of it), direct, confirmation, abort, or partial-signature.</param>
/// <param name="From">Sender.</param>
/// <param name="To">Recipient.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="SentMs">When it started onto the wire.</param>
/// <param name="ArrivedMs">When it arrived; null when it was lost (it is then sent again).</param>
/// <param name="Resend">Whether it was a resend.</param>
public sealed record Transmission(string Phase, int Round, string Kind, int From, int To, int Bytes, double SentMs, double? ArrivedMs, bool Resend);

/// <summary>How a phase ended.</summary>
public enum PhaseOutcome
{
    /// <summary>Every honest party completed.</summary>
    Completed,

    /// <summary>An honest party aborted, naming culprits.</summary>
    Aborted,

    /// <summary>Some honest party was still waiting when the phase's timeout passed.</summary>
    TimedOut,

    /// <summary>Not run: an earlier phase did not complete.</summary>
    Skipped,
}

/// <summary>One phase of one run.</summary>
/// <param name="Phase">keygen, aux-info, presign or sign.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="StartMs">Virtual time it started.</param>
/// <param name="EndMs">Virtual time the last honest party finished, or the timeout.</param>
/// <param name="LatencyMs">End − start.</param>
/// <param name="Participants">The parties that took part.</param>
/// <param name="Rounds">Rounds the parties sent messages for (the most of any party).</param>
/// <param name="Messages">Messages sent (a broadcast counts once per recipient; resends not counted).</param>
/// <param name="WireBytes">Bytes put on the wire, resends included.</param>
/// <param name="Retransmissions">Messages sent again after a loss.</param>
/// <param name="Refused">Messages a recipient refused (wrong session, bad signature, …).</param>
/// <param name="Parties">Traffic per party.</param>
/// <param name="Blames">Who named whom.</param>
/// <param name="Culprits">Every party an honest party named.</param>
/// <param name="HonestBlamed">Honest parties an honest party named (must be empty).</param>
/// <param name="Unreachable">On a timeout: the nodes most still-waiting parties wait for.</param>
/// <param name="Waiting">On a timeout: whom each still-running party waits for.</param>
/// <param name="Note">What else to know (the combiner of signing, why a phase was skipped).</param>
public sealed record PhaseReport(
    string Phase,
    PhaseOutcome Outcome,
    double StartMs,
    double EndMs,
    double LatencyMs,
    IReadOnlyList<int> Participants,
    int Rounds,
    int Messages,
    long WireBytes,
    int Retransmissions,
    int Refused,
    IReadOnlyList<PartyTraffic> Parties,
    IReadOnlyList<Blame> Blames,
    IReadOnlyList<int> Culprits,
    IReadOnlyList<int> HonestBlamed,
    IReadOnlyList<int> Unreachable,
    IReadOnlyList<WaitingParty> Waiting,
    string? Note);

/// <summary>One party's traffic in a phase.</summary>
/// <param name="Party">The party.</param>
/// <param name="BytesPerRound">Bytes of the messages it produced in each round (index 0 is round 1; a broadcast counted once).</param>
/// <param name="Messages">Messages it sent (per recipient).</param>
/// <param name="WireBytes">Bytes it put on the wire, resends included.</param>
/// <param name="Retransmissions">Its resends.</param>
public sealed record PartyTraffic(int Party, IReadOnlyList<long> BytesPerRound, int Messages, long WireBytes, int Retransmissions);

/// <summary>One accusation.</summary>
/// <param name="Accuser">Who named.</param>
/// <param name="Accused">Who was named.</param>
/// <param name="Check">The failed check (its stable code).</param>
/// <param name="AccuserHonest">Whether the accuser had no misbehaviour.</param>
/// <param name="AccusedHonest">Whether the accused had no misbehaviour (an honest accuser naming it is a failure).</param>
public sealed record Blame(int Accuser, int Accused, string Check, bool AccuserHonest, bool AccusedHonest);

/// <summary>A party still running when its phase timed out, and the parties whose messages it still waits for.</summary>
/// <param name="Party">The waiting party.</param>
/// <param name="Round">Its current round.</param>
/// <param name="WaitsFor">Senders of the messages it waits for.</param>
public sealed record WaitingParty(int Party, int Round, IReadOnlyList<int> WaitsFor);

/// <summary>One phase over all repetitions.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Runs">Repetitions that ran it.</param>
/// <param name="Completed">Of them, completed.</param>
/// <param name="Aborted">Aborted.</param>
/// <param name="TimedOut">Timed out.</param>
/// <param name="LatencyMeanMs">Mean latency of completed runs (null if none).</param>
/// <param name="LatencyP50Ms">Median latency of completed runs.</param>
/// <param name="LatencyMaxMs">Slowest completed run.</param>
/// <param name="Retransmissions">Summed over runs.</param>
public sealed record PhaseSummary(string Phase, int Runs, int Completed, int Aborted, int TimedOut, double? LatencyMeanMs, double? LatencyP50Ms, double? LatencyMaxMs, int Retransmissions);
