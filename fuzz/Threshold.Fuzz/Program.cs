using System.Globalization;
using SharpFuzz;

namespace Threshold.Fuzz;

// dotnet Threshold.Fuzz.dll TARGET                        under afl-fuzz (SharpFuzz out-of-process)
// dotnet Threshold.Fuzz.dll run TARGET DIR                every file of DIR in-process (regression)
// dotnet Threshold.Fuzz.dll smoke TARGET [N] [SEED] [DIR] the corpus, then N seeded mutations in-process
// dotnet Threshold.Fuzz.dll seed [ROOT]                   writes ROOT/fuzz/corpus/TARGET/ from honest runs
// dotnet Threshold.Fuzz.dll list                          the target names

/// <summary>The command line of the fuzz driver.</summary>
internal static class Cli
{
    public static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: Threshold.Fuzz (TARGET | run TARGET DIR | smoke TARGET [N] [SEED] [DIR] | seed [ROOT] | list)");
            return 2;
        }

        switch (args[0])
        {
            case "list":
                foreach (var name in Targets.All.Keys)
                {
                    Console.WriteLine(name);
                }

                return 0;
            case "seed":
                return WriteSeeds(args.Length > 1 ? args[1] : ".");
            case "run" when args.Length == 3:
                return RunDirectory(Targets.Get(args[1]), args[2]);
            case "smoke" when args.Length >= 2:
                return Smoke(args);
            default:
                return Afl(Targets.Get(args[0]));
        }
    }

    private static int Afl(FuzzTarget target)
    {
        // No warm-up here: instrumented code may run only once SharpFuzz has mapped afl's shared memory.
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Run(buffer.ToArray());
        });
        return 0;
    }

    private static int RunDirectory(FuzzTarget target, string directory)
    {
        var failures = 0;
        foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
        {
            try
            {
                Runner.RunOne(target, File.ReadAllBytes(file));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures++;
                Console.Error.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
            }
        }

        Console.WriteLine($"{target.Name}: {Directory.GetFiles(directory).Length} inputs, {failures} failures");
        return failures == 0 ? 0 : 1;
    }

    private static int Smoke(string[] args)
    {
        var target = Targets.Get(args[1]);
        var count = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
        var seed = args.Length > 3 ? ulong.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        var corpus = Runner.LoadCorpus(args.Length > 4 ? args[4] : Path.Combine("fuzz", "corpus", target.Name));
        try
        {
            var executions = Runner.Smoke(target, corpus, count, seed);
            Console.WriteLine($"{target.Name}: {executions} executions, 0 failures");
            return 0;
        }
        catch (FuzzFailureException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(e.InnerException);
            return 1;
        }
    }

    private static int WriteSeeds(string root)
    {
        Seeds.RepositoryRoot = root;
        foreach (var target in Targets.All.Values)
        {
            var directory = Path.Combine(root, "fuzz", "corpus", target.Name);
            Directory.CreateDirectory(directory);
            var i = 0;
            foreach (var seed in target.Seeds())
            {
                File.WriteAllBytes(Path.Combine(directory, $"seed-{i++:D3}"), seed);
            }

            Console.WriteLine($"{target.Name}: {i} seeds");
        }

        return 0;
    }
}
