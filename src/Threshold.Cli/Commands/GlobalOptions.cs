using System.CommandLine;
using Threshold.Arithmetic;

namespace Threshold.Cli.Commands;

/// <summary>Options every subcommand accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Arithmetic = new("--arithmetic")
    {
        Description = $"Big-integer backend: gmp (default) or managed. Also read from {Backends.EnvironmentVariable}.",
        Recursive = true,
    };

    /// <summary>Applies the options; returns an exit code when they are unusable.</summary>
    public static int? Apply(ParseResult parse)
    {
        try
        {
            var name = parse.GetValue(Arithmetic);
            Backends.UseBackend(name is null ? Backends.Default : Backends.ByName(name));
            return null;
        }
        catch (Exception e) when (e is ArithmeticBackendUnavailableException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
    }
}
