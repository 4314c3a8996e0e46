using System.Text.Json;
using System.Text.Json.Serialization;

namespace Threshold.Simulator.Calibration;

/// <summary>
/// What each step of each phase costs on the machine that measured it, and what it sends, as linear
/// functions of the phase's party count m: the table <c>compute: { model: cost }</c> charges instead of
/// running the cryptography. Written by <c>threshold sim calibrate</c> (<see cref="Calibrator"/>).
/// </summary>
/// <param name="Machine">Where it was measured (host, processors, runtime): the costs are that machine's.</param>
/// <param name="SecurityLevel">Paillier modulus bits of the measured runs.</param>
/// <param name="Curve">The curve of the measured runs.</param>
/// <param name="PartyCounts">The party counts measured (the fits interpolate between them and extrapolate beyond).</param>
/// <param name="Repetitions">Runs per party count; each cost is the median of its steps over all of them.</param>
/// <param name="Phases">One profile per phase.</param>
public sealed record CalibrationTable(string Machine, int SecurityLevel, string Curve, IReadOnlyList<int> PartyCounts, int Repetitions, IReadOnlyList<PhaseProfile> Phases)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The profile of <paramref name="phase"/> (a phase name as in scenarios).</summary>
    /// <exception cref="Scenarios.ScenarioException">The table does not cover the phase.</exception>
    public PhaseProfile Phase(string phase) =>
        Phases.FirstOrDefault(p => p.Phase == phase) ?? throw new Scenarios.ScenarioException($"the calibration table has no profile for {phase}");

    /// <summary>The table as indented JSON (snake_case keys).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Reads a table written by <see cref="ToJson"/>.</summary>
    /// <exception cref="Scenarios.ScenarioException">The file is missing or is not a calibration table.</exception>
    public static CalibrationTable Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            throw new Scenarios.ScenarioException($"calibration table {path}: {e.Message}", e);
        }
    }

    /// <summary>Reads a table from its JSON text.</summary>
    /// <exception cref="JsonException">Not a calibration table.</exception>
    public static CalibrationTable Parse(string json) =>
        JsonSerializer.Deserialize<CalibrationTable>(json, Json) ?? throw new JsonException("empty calibration table");

    /// <summary>The table committed under simulator/calibration/ (built into this assembly), if there is one.</summary>
    public static CalibrationTable? Default
    {
        get
        {
            using var stream = typeof(CalibrationTable).Assembly.GetManifestResourceStream("default-calibration.json");
            return stream is null ? null : Parse(new StreamReader(stream).ReadToEnd());
        }
    }
}

/// <summary>
/// One phase as the cost model plays it: every party starts (<see cref="StartMs"/>, sending round 1),
/// then in each round receives the other parties' messages of that round and, on the last one, does the
/// round's work and sends the next round's messages (or finishes). Signing is the exception the driver
/// knows: σ_i goes to the combiner only, which does round 1's work alone.
/// </summary>
/// <param name="Phase">keygen, refresh, aux-info, presign or sign.</param>
/// <param name="StartMs">A party's first step (creating the state machine and its round-1 messages).</param>
/// <param name="Rounds">The rounds in order (round k's messages are sent when round k − 1 completes).</param>
public sealed record PhaseProfile(string Phase, CostFit StartMs, IReadOnlyList<RoundProfile> Rounds);

/// <summary>One round of a phase.</summary>
/// <param name="Round">Its number (1-based).</param>
/// <param name="Broadcasts">Broadcast messages each party sends in this round (each reaches every other party).</param>
/// <param name="BroadcastBytes">Encoded size of one broadcast copy.</param>
/// <param name="Directs">Direct messages each party sends to each other party in this round.</param>
/// <param name="DirectBytes">Encoded size of one direct message.</param>
/// <param name="ReceiveMs">A delivery of this round's message that does not complete the round (checks on arrival).</param>
/// <param name="CompleteMs">The delivery that completes the round: its checks, the round's work and the next round's messages.</param>
public sealed record RoundProfile(int Round, LinearFit Broadcasts, LinearFit BroadcastBytes, LinearFit Directs, LinearFit DirectBytes, CostFit ReceiveMs, CostFit CompleteMs);

/// <summary>
/// A step's cost as a distribution: its deciles (the 5th, 15th … 95th percentiles of the measured steps),
/// each fitted linearly in m. Cost mode draws one decile at random per step, so a round that waits for
/// the slowest of m parties sees the spread a real run sees (garbage collections, a busy core), not m
/// identical medians.
/// </summary>
/// <param name="Deciles">Ten fits, lowest first (empty: free).</param>
public sealed record CostFit(IReadOnlyList<LinearFit> Deciles)
{
    /// <summary>A cost of <paramref name="ms"/> whatever m and the draw.</summary>
    public static CostFit Constant(double ms) => new([new LinearFit(ms, 0)]);

    /// <summary>One step's cost for <paramref name="parties"/> parties.</summary>
    public double Draw(int parties, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Deciles.Count == 0 ? 0 : Deciles[random.Next(Deciles.Count)].At(parties);
    }

    /// <summary>The mean of the deciles for <paramref name="parties"/> parties.</summary>
    public double Mean(int parties) => Deciles.Count == 0 ? 0 : Deciles.Average(d => d.At(parties));
}

/// <summary>A quantity as a + b·m for a phase of m parties (least squares over the measured party counts; never below zero).</summary>
/// <param name="Intercept">a.</param>
/// <param name="Slope">b.</param>
public sealed record LinearFit(double Intercept, double Slope)
{
    /// <summary>The value for <paramref name="parties"/> parties.</summary>
    public double At(int parties) => Math.Max(0, Intercept + (Slope * parties));

    /// <summary>The least-squares line through (m, value) points; a constant for a single party count.</summary>
    public static LinearFit Through(IReadOnlyList<(int Parties, double Value)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0)
        {
            return new LinearFit(0, 0);
        }

        var meanX = points.Average(p => (double)p.Parties);
        var meanY = points.Average(p => p.Value);
        var sxx = points.Sum(p => (p.Parties - meanX) * (p.Parties - meanX));
        var slope = sxx == 0 ? 0 : points.Sum(p => (p.Parties - meanX) * (p.Value - meanY)) / sxx;
        return new LinearFit(Math.Round(meanY - (slope * meanX), 6), Math.Round(slope, 6));
    }
}
