namespace Threshold.Fuzz.Tests;

/// <summary>
/// The CI smoke of every fuzz target: its whole seed corpus (regressions included) and a fixed number
/// of deterministic mutations, in-process; any exception but the decoder's typed error fails.
/// </summary>
public sealed class FuzzSmokeTests
{
    private const int Mutations = 2000;

    public static TheoryData<string> TargetNames => [.. Targets.All.Keys];

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void SeedCorpusAndMutationsRaiseOnlyTypedErrors(string name)
    {
        var target = Targets.Get(name);
        var corpus = Runner.LoadCorpus(CorpusDirectory(name));
        // The seed is fixed per target so a failure replays exactly.
        var seed = (ulong)name.Aggregate(17L, (h, c) => (h * 31) + c);
        Assert.Equal(corpus.Count + Mutations, Runner.Smoke(target, corpus, Mutations, seed));
    }

    [Theory]
    [MemberData(nameof(TargetNames))]
    public void EveryTargetHasASeedCorpus(string name) =>
        Assert.NotEmpty(Runner.LoadCorpus(CorpusDirectory(name)));

    [Fact]
    public void EveryCorpusDirectoryBelongsToATarget() =>
        Assert.All(Directory.GetDirectories(CorpusRoot), d => Assert.Contains(Path.GetFileName(d), Targets.All.Keys));

    [Fact]
    public void AnUntypedExceptionIsReportedWithItsInput()
    {
        var target = new FuzzTarget("throws", b => throw new InvalidOperationException("boom"), [typeof(DecodingException)], () => []);
        var failure = Assert.Throws<FuzzFailureException>(() => Runner.Smoke(target, [[1, 2, 3]], 1, 1));
        Assert.IsType<InvalidOperationException>(failure.InnerException);
    }

    [Fact]
    public void TheTypedErrorIsAccepted()
    {
        var target = new FuzzTarget("refuses", b => throw new DecodingException(DecodingError.Malformed, "x"), [typeof(DecodingException)], () => []);
        Assert.Equal(11, Runner.Smoke(target, [[1]], 10, 1));
    }

    [Fact]
    public void AllocationBeyondTheLimitIsAFailure()
    {
        var target = new FuzzTarget("allocates", b => GC.KeepAlive(new byte[FuzzTarget.AllocationLimit(b.Length) + 1]), [typeof(DecodingException)], () => []);
        Assert.Throws<AllocationLimitExceededException>(() => target.Run([]));
    }

    [Fact]
    public void MutationsAreDeterministic()
    {
        byte[][] corpus = [[1, 2, 3, 4], [5, 6]];
        var a = new Mutator(42);
        var b = new Mutator(42);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(a.Next(corpus), b.Next(corpus));
        }
    }

    private static string CorpusRoot => Path.Combine(RepositoryRoot(), "fuzz", "corpus");

    private static string CorpusDirectory(string name) => Path.Combine(CorpusRoot, name);

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Threshold.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Threshold.sln not found above " + AppContext.BaseDirectory);
    }
}
