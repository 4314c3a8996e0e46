using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Threshold.Cli.Bench;

/// <summary>Renders benchmark results: one JSON object for scripts, a table for people.</summary>
internal static class BenchReport
{
    public static JsonSerializerOptions JsonOptions => Json;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>{"machine": {...}, "results": [{"name", "median_ms", "runs", "bytes"?}]}.</summary>
    public static string ToJson(MachineInfo machine, IEnumerable<BenchResult> results) =>
        JsonSerializer.Serialize(new { machine, results = results.Select(r => r with { MedianMs = Math.Round(r.MedianMs, 4) }) }, Json);

    public static void WriteProtocolTable(IAnsiConsole console, ProtocolReport report)
    {
        var m = report.Machine;
        console.MarkupLine($"[bold]threshold bench protocol[/]  n = {report.Parties}, t = {report.Threshold}, {Markup.Escape(report.Curve)}, Paillier {report.Level}; median of {report.Runs} runs on {Markup.Escape(m.Cpu)}, {m.Cores} cores, {m.Date}");
        var table = new Table().AddColumn("phase").AddColumn("party").AddColumn(new TableColumn("compute ms").RightAligned())
            .AddColumn(new TableColumn("rounds").RightAligned()).AddColumn("bytes sent per round");
        foreach (var p in report.Phases)
        {
            table.AddRow(
                p.Phase,
                p.Party.ToString(CultureInfo.InvariantCulture),
                p.ComputeMs.ToString("0.00", CultureInfo.InvariantCulture),
                p.Rounds.ToString(CultureInfo.InvariantCulture),
                string.Join(" / ", p.BytesSentPerRound.Select(b => b.ToString(CultureInfo.InvariantCulture))));
        }

        console.Write(table);
    }

    public static void WriteTable(IAnsiConsole console, string title, MachineInfo machine, IEnumerable<BenchResult> results)
    {
        console.MarkupLine($"[bold]{Markup.Escape(title)}[/]  {Markup.Escape(machine.Cpu)}, {machine.Cores} cores, {Markup.Escape(machine.Runtime)}, GMP {Markup.Escape(machine.Gmp ?? "absent")}, {machine.Date}");
        var table = new Table().AddColumn("name").AddColumn(new TableColumn("median ms").RightAligned()).AddColumn(new TableColumn("runs").RightAligned());
        var withBytes = results.ToList();
        if (withBytes.Any(r => r.Bytes is not null))
        {
            table.AddColumn(new TableColumn("bytes").RightAligned());
        }

        foreach (var r in withBytes)
        {
            var cells = new List<string>
            {
                r.Name,
                r.MedianMs.ToString(r.MedianMs < 1 ? "0.000" : "0.00", CultureInfo.InvariantCulture),
                r.Runs.ToString(CultureInfo.InvariantCulture),
            };
            if (table.Columns.Count == 4)
            {
                cells.Add(r.Bytes?.ToString(CultureInfo.InvariantCulture) ?? "");
            }

            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }

        console.Write(table);
    }
}
