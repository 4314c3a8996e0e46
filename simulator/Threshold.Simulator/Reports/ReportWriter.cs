using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Threshold.Simulator.Reports;

/// <summary>Writes a report as JSON (everything) or CSV (one row per phase of each run). Both are stable: the same report gives the same bytes.</summary>
public static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The whole report as indented JSON with snake_case keys.</summary>
    public static string ToJson(SimulationReport report) => JsonSerializer.Serialize(report, Json) + "\n";

    /// <summary>
    /// One row per phase of each run. <c>bytes_per_party_round</c> lists, per party, its bytes in each
    /// round: <c>1:120/2400|2:…</c>; culprits, honest_blamed and unreachable are space-separated nodes.
    /// </summary>
    public static string ToCsv(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder();
        csv.Append("scenario,repetition,seed,phase,outcome,start_ms,end_ms,latency_ms,rounds,messages,wire_bytes,retransmissions,refused,culprits,honest_blamed,unreachable,bytes_per_party_round\n");
        foreach (var run in report.Runs)
        {
            foreach (var p in run.Phases)
            {
                string[] cells =
                [
                    report.Scenario, Number(run.Repetition), run.Seed, p.Phase, JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Outcome.ToString()),
                    Number(p.StartMs), Number(p.EndMs), Number(p.LatencyMs), Number(p.Rounds), Number(p.Messages), Number(p.WireBytes),
                    Number(p.Retransmissions), Number(p.Refused), Nodes(p.Culprits), Nodes(p.HonestBlamed), Nodes(p.Unreachable),
                    string.Join('|', p.Parties.Select(t => $"{Number(t.Party)}:{string.Join('/', t.BytesPerRound.Select(b => Number(b)))}")),
                ];
                csv.AppendJoin(',', cells.Select(Quote)).Append('\n');
            }
        }

        return csv.ToString();
    }

    /// <summary>
    /// Every transmission of every traced run, one row each: when it left, when it arrived (empty when
    /// lost), between whom, its phase, round, kind and size. Empty unless the runs were traced.
    /// </summary>
    public static string ToTraceCsv(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder("repetition,phase,round,kind,from,to,bytes,sent_ms,arrived_ms,resend\n");
        foreach (var run in report.Runs)
        {
            foreach (var t in run.Transmissions ?? [])
            {
                csv.AppendJoin(',', Number(run.Repetition), t.Phase, Number(t.Round), t.Kind, Number(t.From), Number(t.To), Number(t.Bytes), Number(t.SentMs), t.ArrivedMs is { } a ? Number(a) : "", t.Resend ? "1" : "0").Append('\n');
            }
        }

        return csv.ToString();
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Nodes(IReadOnlyList<int> nodes) => string.Join(' ', nodes.Select(n => Number(n)));

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n']) < 0 ? cell : $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
