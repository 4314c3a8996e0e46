using System.CommandLine;
using Spectre.Console;
using Threshold.Arithmetic;
using Threshold.Primes;

namespace Threshold.Cli.Commands;

/// <summary><c>threshold primes …</c>: fill and check a safe-prime pool file ahead of aux-info.</summary>
internal static class PrimesCommand
{
    public static Command Create()
    {
        var primes = new Command("primes", "Pregenerate safe primes for Paillier keys.");
        primes.Add(Generate());
        primes.Add(Check());
        return primes;
    }

    private static Command Generate()
    {
        var bits = new Option<int>("--bits") { Description = "Bit length of each safe prime (1024 for the 2048 level, 1536 for 3072).", DefaultValueFactory = _ => 1024 };
        var count = new Option<int>("--count") { Description = "How many primes the pool should hold.", DefaultValueFactory = _ => 4 };
        var output = new Option<FileInfo>("--out") { Description = "Pool file (created or extended; mode 0600).", Required = true };
        var command = new Command("generate", "Generate safe primes into a pool file, with progress.") { bits, count, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            var file = parse.GetRequiredValue(output);
            var pool = file.Exists ? PrimePool.Load(file.FullName) : new PrimePool();
            var size = parse.GetValue(bits);
            var target = parse.GetValue(count);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            await AnsiConsole.Progress().StartAsync(async context =>
            {
                var task = context.AddTask($"{size}-bit safe primes", maxValue: Math.Max(1, target - pool.Count(size)));
                var progress = new Progress<SafePrimeProgress>(p =>
                {
                    task.Value = p.Found;
                    task.Description = $"{size}-bit safe primes ({p.Candidates} candidates tested)";
                });
                await pool.FillAsync(size, target, progress, cancellationToken);
                task.Value = task.MaxValue;
            });
            pool.Save(file.FullName);
            AnsiConsole.MarkupLine($"{pool.Count(size)} primes of {size} bits in [bold]{Markup.Escape(file.FullName)}[/] ({watch.Elapsed.TotalSeconds:0.0} s)");
            return 0;
        });
        return command;
    }

    private static Command Check()
    {
        var input = new Argument<FileInfo>("file") { Description = "Pool file to verify." };
        var command = new Command("check", "Verify that every entry of a pool file is a safe prime of its stated length.") { input };
        command.SetAction(parse =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            try
            {
                var pool = PrimePool.Load(parse.GetRequiredValue(input).FullName, Backends.Default);
                foreach (var size in pool.Sizes)
                {
                    Console.WriteLine($"{pool.Count(size)} safe primes of {size} bits");
                }

                return 0;
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
