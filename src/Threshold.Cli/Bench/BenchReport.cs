using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Threshold.Cli.Bench;

/// <summary>Renders benchmark results: one JSON object for scripts, a table for people.</summary>
internal static class BenchReport
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>{"machine": {...}, "results": [{"name", "median_ms", "runs", "bytes"?}]}.</summary>
    public static string ToJson(MachineInfo machine, IEnumerable<BenchResult> results) =>
        JsonSerializer.Serialize(new { machine, results = results.Select(r => r with { MedianMs = Math.Round(r.MedianMs, 4) }) }, Json);

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
