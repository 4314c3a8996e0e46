namespace Threshold.Fuzz;

/// <summary>
/// One decoder under test: <see cref="Run"/> feeds it the input and swallows only the typed errors the
/// decoder documents (<see cref="Typed"/>); any other exception escapes and is a crash.
/// </summary>
/// <param name="Name">The target's name on the command line and its corpus directory under fuzz/corpus.</param>
/// <param name="Decode">Runs the decoder on one input.</param>
/// <param name="Typed">The exception types the decoder documents for refused input.</param>
/// <param name="Seeds">Honest encodings (test vectors, recorded runs) for the seed corpus.</param>
public sealed record FuzzTarget(string Name, Action<byte[]> Decode, IReadOnlyList<Type> Typed, Func<IEnumerable<byte[]>> Seeds)
{
    /// <summary>Allocation allowed per input: a fixed budget plus a multiple of the input's length.</summary>
    public static long AllocationLimit(int inputLength) => (32L << 20) + (256L * inputLength);

    /// <summary>
    /// Runs the decoder on <paramref name="input"/>. Returns normally when it decodes or refuses with a
    /// typed error; throws <see cref="AllocationLimitExceededException"/> when it allocates beyond
    /// <see cref="AllocationLimit"/>; lets every other exception escape.
    /// </summary>
    public void Run(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            Decode(input);
        }
        catch (Exception e) when (IsTyped(e))
        {
            // The documented refusal: the outcome a hostile input should get.
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > AllocationLimit(input.Length))
        {
            throw new AllocationLimitExceededException(Name, input.Length, allocated);
        }
    }

    private bool IsTyped(Exception e) => Typed.Any(t => t.IsInstanceOfType(e));
}

/// <summary>A decoder allocated more than <see cref="FuzzTarget.AllocationLimit"/> for one input.</summary>
public sealed class AllocationLimitExceededException(string target, int inputLength, long allocated)
    : Exception($"{target}: {allocated} bytes allocated for a {inputLength}-byte input (limit {FuzzTarget.AllocationLimit(inputLength)})");

/// <summary>A decoder did not return within the per-input time limit.</summary>
public sealed class InputTimeoutException(string target, TimeSpan limit)
    : Exception($"{target}: an input ran longer than {limit.TotalSeconds} s");
