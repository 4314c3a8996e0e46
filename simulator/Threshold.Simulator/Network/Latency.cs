using System.Globalization;
using Threshold.Simulator.Scenarios;

namespace Threshold.Simulator.Network;

/// <summary>A one-way latency distribution; every draw comes from the caller's seeded generator.</summary>
internal abstract class Latency
{
    /// <summary>One sample, in ms (never negative).</summary>
    public abstract double Sample(Random random);

    /// <summary>The distribution a scenario describes (CSV files are read here).</summary>
    public static Latency From(LatencySpec? spec) => spec?.Distribution switch
    {
        null => new Constant(0),
        "constant" => new Constant(spec.Ms),
        "normal" => new Normal(spec.MeanMs, spec.StddevMs),
        "lognormal" => new LogNormal(spec.MedianMs, spec.Sigma),
        "csv" => Measured.Read(spec.File!),
        _ => throw new ScenarioException($"latency distribution '{spec.Distribution}'"),
    };

    /// <summary>A standard normal draw (Box–Muller, one of the pair).</summary>
    protected static double StandardNormal(Random random)
    {
        var u = 1.0 - random.NextDouble(); // (0, 1]: the logarithm is finite
        var v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }

    private sealed class Constant(double ms) : Latency
    {
        public override double Sample(Random random) => ms;
    }

    private sealed class Normal(double mean, double deviation) : Latency
    {
        public override double Sample(Random random) => Math.Max(0, mean + (deviation * StandardNormal(random)));
    }

    private sealed class LogNormal(double median, double sigma) : Latency
    {
        public override double Sample(Random random) => median * Math.Exp(sigma * StandardNormal(random));
    }

    /// <summary>Half of a round-trip time drawn uniformly from measurements.</summary>
    private sealed class Measured(double[] roundTrips) : Latency
    {
        public override double Sample(Random random) => roundTrips[random.Next(roundTrips.Length)] / 2;

        /// <summary>The first column of each line that holds a number (a header and comments are skipped).</summary>
        public static Measured Read(string path)
        {
            if (!File.Exists(path))
            {
                throw new ScenarioException($"latency file {path} does not exist");
            }

            var values = File.ReadLines(path)
                .Select(line => line.Split(',')[0].Trim())
                .Where(cell => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0)
                .Select(cell => double.Parse(cell, CultureInfo.InvariantCulture))
                .ToArray();
            return values.Length > 0 ? new Measured(values) : throw new ScenarioException($"latency file {path} holds no round-trip times");
        }
    }
}
