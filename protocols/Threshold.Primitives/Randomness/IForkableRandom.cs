using System.Security.Cryptography;

namespace Threshold.Randomness;

/// <summary>
/// A randomness source that splits into independent labelled streams, so work done on several cores
/// draws the same bytes whatever order the tasks run in (a seeded generator replays a whole run).
/// </summary>
public interface IForkableRandom
{
    /// <summary>An independent generator for <paramref name="label"/>; the same label gives the same stream.</summary>
    RandomNumberGenerator Fork(string label);
}

/// <summary>Generators for work that runs in parallel.</summary>
public static class ParallelRandom
{
    /// <summary>
    /// The generator one parallel task named <paramref name="label"/> draws from: the labelled child of a
    /// <see cref="IForkableRandom"/>, else <paramref name="rng"/> itself, which must then be thread-safe
    /// (as the system CSPRNG of <see cref="RandomNumberGenerator.Create()"/> is).
    /// </summary>
    public static RandomNumberGenerator For(RandomNumberGenerator rng, string label)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return rng is IForkableRandom forkable ? forkable.Fork(label) : rng;
    }
}
