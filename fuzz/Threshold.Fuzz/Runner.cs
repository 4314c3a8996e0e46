namespace Threshold.Fuzz;

/// <summary>Runs a target in-process over a directory or over seeded mutations, with a per-input time limit.</summary>
public static class Runner
{
    /// <summary>The per-input time limit in-process (afl-fuzz applies its own with -t).</summary>
    public static TimeSpan InputTimeLimit { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The files of <paramref name="directory"/>, sorted by name (none when it does not exist).</summary>
    public static IReadOnlyList<byte[]> LoadCorpus(string directory) =>
        Directory.Exists(directory)
            ? [.. Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)]
            : [];

    /// <summary>
    /// Runs <paramref name="target"/> on one input within <see cref="InputTimeLimit"/>.
    /// </summary>
    /// <exception cref="InputTimeoutException">The decoder did not return in time.</exception>
    public static void RunOne(FuzzTarget target, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(target);
        var task = Task.Run(() => target.Run(input));
        try
        {
            if (!task.Wait(InputTimeLimit))
            {
                throw new InputTimeoutException(target.Name, InputTimeLimit);
            }
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // Report the decoder's own exception, not the task's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static void Check(FuzzTarget target, byte[] input)
    {
        try
        {
            RunOne(target, input);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new FuzzFailureException(target.Name, input, e);
        }
    }

    /// <summary>Runs every input of <paramref name="corpus"/> then <paramref name="mutations"/> mutations of it; returns the executions.</summary>
    public static int Smoke(FuzzTarget target, IReadOnlyList<byte[]> corpus, int mutations, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        foreach (var input in corpus)
        {
            Check(target, input);
        }

        var mutator = new Mutator(seed);
        for (var i = 0; i < mutations; i++)
        {
            Check(target, mutator.Next(corpus));
        }

        return corpus.Count + mutations;
    }
}

/// <summary>An input made a target fail; carries the input (hex) so it can be saved as a regression.</summary>
public sealed class FuzzFailureException(string target, byte[] input, Exception inner)
    : Exception($"{target} failed on input {Convert.ToHexStringLower(input)}: {inner.GetType().Name}: {inner.Message}", inner)
{
    /// <summary>The failing input.</summary>
    public byte[] Input { get; } = input;
}
