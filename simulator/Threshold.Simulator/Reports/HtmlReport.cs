using System.Globalization;
using System.Net;
using System.Text;
using ScottPlot;

namespace Threshold.Simulator.Reports;

/// <summary>
/// Self-contained HTML reports: the figures are ScottPlot SVGs embedded as base64 data URIs, so the file
/// opens anywhere without its neighbours.
/// </summary>
public static class HtmlReport
{
    private const int Width = 720;
    private const int Height = 400;

    /// <summary>A run's report: the summary, a latency CDF per phase and (when traced) the first run's timeline.</summary>
    public static string Run(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = Begin($"{report.Scenario}: n = {report.N}, t = {report.T}, compute {report.Compute.Mode}{(report.Compute.Calibration is { } machine ? $" (calibrated on {machine})" : "")}, seed {report.Seed}");
        html.Append("<table><tr><th>phase</th><th>runs</th><th>completed</th><th>aborted</th><th>timed out</th><th>mean ms</th><th>median ms</th><th>max ms</th><th>retransmissions</th></tr>\n");
        foreach (var s in report.Summary)
        {
            Row(html, s.Phase, Number(s.Runs), Number(s.Completed), Number(s.Aborted), Number(s.TimedOut), Ms(s.LatencyMeanMs), Ms(s.LatencyP50Ms), Ms(s.LatencyMaxMs), Number(s.Retransmissions));
        }

        html.Append("</table>\n");
        Figure(html, "latency-cdf", "Latency CDF per phase", LatencyCdf(report));
        if (report.Runs.FirstOrDefault()?.Transmissions is { Count: > 0 })
        {
            Figure(html, "timeline", "Timeline of run 0: each line a message from its sender's row, when sent, to its recipient's row, when it arrived (lost transmissions in red)", Timeline(report.Runs[0]));
        }
        else
        {
            html.Append("<p>No timeline: run with <code>--trace</code> (or <code>--html</code>, which traces) to record every transmission.</p>\n");
        }

        return End(html);
    }

    /// <summary>A sweep's report: latency and bytes per party against n, per phase, and the numbers.</summary>
    public static string Sweep(SweepReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = Begin($"sweep of {report.Scenario}: {report.Cases.Count} cases, compute {report.Compute.Mode}{(report.Compute.Calibration is { } machine ? $" (calibrated on {machine})" : "")}, seed {report.Seed}");
        Figure(html, "latency-vs-n", "Median latency against n, per phase", LatencyVsN(report));
        Figure(html, "bytes-vs-n", "Bytes on the wire per party against n, per phase", BytesVsN(report));
        html.Append("<table><tr><th>n</th><th>t</th><th>phase</th><th>completed</th><th>median ms</th><th>bytes per party</th><th>messages</th></tr>\n");
        foreach (var c in report.Cases)
        {
            foreach (var p in c.Phases)
            {
                Row(html, Number(c.N), Number(c.T), p.Phase, Number(p.Completed), Ms(p.LatencyP50Ms), Number(p.BytesPerParty), Number(p.Messages));
            }
        }

        html.Append("</table>\n");
        return End(html);
    }

    /// <summary>Median latency of each phase against n (one line per phase).</summary>
    public static Plot LatencyVsN(SweepReport report) =>
        PerPhase(report, "median latency (ms, virtual)", p => p.LatencyP50Ms, logarithmic: false);

    /// <summary>Bytes on the wire per party of each phase against n.</summary>
    public static Plot BytesVsN(SweepReport report) =>
        PerPhase(report, "bytes on the wire per party", p => p.BytesPerParty, logarithmic: false);

    /// <summary>The empirical CDF of each phase's latency over the completed runs.</summary>
    public static Plot LatencyCdf(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var plot = new Plot();
        foreach (var phase in report.Summary.Select(s => s.Phase))
        {
            var latencies = report.Runs.SelectMany(r => r.Phases).Where(p => p.Phase == phase && p.Outcome == PhaseOutcome.Completed).Select(p => p.LatencyMs).Order().ToArray();
            if (latencies.Length == 0)
            {
                continue;
            }

            // A step function: at each latency the fraction of runs done by then.
            var xs = latencies.SelectMany(l => new[] { l, l }).ToArray();
            var ys = latencies.SelectMany((_, i) => new[] { (double)i / latencies.Length, (double)(i + 1) / latencies.Length }).ToArray();
            plot.Add.ScatterLine(xs, ys).LegendText = phase;
        }

        plot.XLabel("latency (ms, virtual)");
        plot.YLabel("fraction of runs");
        plot.ShowLegend();
        return plot;
    }

    /// <summary>Every transmission of a traced run: a line from (sent, sender) to (arrived, recipient); lost ones end where they were sent.</summary>
    public static Plot Timeline(RunReport run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var plot = new Plot();
        var offsets = run.Phases.ToDictionary(p => p.Phase, p => p.StartMs);
        foreach (var t in run.Transmissions ?? [])
        {
            var line = t.ArrivedMs is { } arrived
                ? plot.Add.Line(t.SentMs, t.From, arrived, t.To)
                : plot.Add.Line(t.SentMs, t.From, t.SentMs, t.From + 0.3);
            line.LineColor = t.ArrivedMs is null ? Colors.Red : Colors.Blue.WithAlpha(0.35);
        }

        foreach (var p in run.Phases.Where(p => p.Outcome != PhaseOutcome.Skipped))
        {
            var start = plot.Add.VerticalLine(p.StartMs);
            start.LineColor = Colors.Gray;
            start.Text = p.Phase;
        }

        plot.XLabel("virtual time (ms)");
        plot.YLabel("node");
        return plot;
    }

    /// <summary>The plot as SVG text.</summary>
    public static string Svg(Plot plot)
    {
        ArgumentNullException.ThrowIfNull(plot);
        return plot.GetSvgXml(Width, Height);
    }

    private static Plot PerPhase(SweepReport report, string label, Func<SweepPhase, double?> value, bool logarithmic)
    {
        var plot = new Plot();
        foreach (var phase in report.Cases.SelectMany(c => c.Phases).Select(p => p.Phase).Distinct())
        {
            var points = report.Cases
                .Select(c => (c.N, Value: c.Phases.FirstOrDefault(p => p.Phase == phase) is { } p ? value(p) : null))
                .Where(x => x.Value is not null)
                .GroupBy(x => x.N)
                .Select(g => (N: (double)g.Key, Value: g.Average(x => x.Value!.Value)))
                .ToList();
            if (points.Count > 0)
            {
                var line = plot.Add.Scatter(points.Select(x => x.N).ToArray(), points.Select(x => logarithmic ? Math.Log10(x.Value) : x.Value).ToArray());
                line.LegendText = phase;
            }
        }

        plot.XLabel("n (parties)");
        plot.YLabel(label);
        plot.ShowLegend();
        return plot;
    }

    private static StringBuilder Begin(string title)
    {
        var html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
        html.Append(WebUtility.HtmlEncode(title)).Append("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}figure{margin:1em 0}</style></head><body>\n<h1>")
            .Append(WebUtility.HtmlEncode(title)).Append("</h1>\n");
        return html;
    }

    private static string End(StringBuilder html) => html.Append("</body></html>\n").ToString();

    private static void Figure(StringBuilder html, string id, string caption, Plot plot) =>
        html.Append("<figure id=\"").Append(id).Append("\"><img alt=\"").Append(WebUtility.HtmlEncode(caption)).Append("\" src=\"data:image/svg+xml;base64,")
            .Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(Svg(plot)))).Append("\"><figcaption>").Append(WebUtility.HtmlEncode(caption)).Append("</figcaption></figure>\n");

    private static void Row(StringBuilder html, params string[] cells) =>
        html.Append("<tr>").AppendJoin("", cells.Select(c => $"<td>{WebUtility.HtmlEncode(c)}</td>")).Append("</tr>\n");

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "–";
}
