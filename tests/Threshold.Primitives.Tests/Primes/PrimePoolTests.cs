using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Primes;
using Threshold.Testing;

namespace Threshold.Tests.Primes;

public sealed class PrimePoolTests
{
    [Fact]
    public void TakeConsumesAndNeverRepeats()
    {
        var pool = new PrimePool(Backends.Gmp);
        var primes = TestPrimes.OfBits(1024).Take(3).ToList();
        primes.ForEach(p => pool.Add(1024, p));
        var taken = Enumerable.Range(0, 3).Select(_ => pool.Take(1024)).ToList();
        Assert.Equal(primes.Order(), taken.Select(t => t.Value).Order());
        Assert.Equal(0, pool.Count(1024));
        taken.ForEach(t => t.Dispose());
    }

    [Fact]
    public void PrimesWithoutBothTopBitsAreRefused()
    {
        // 2063 = 2·1031 + 1 is a 12-bit safe prime but its second bit is clear: two such factors could
        // make a modulus a bit short, which aux-info refuses (and blames its owner for).
        var pool = new PrimePool(Backends.Gmp);
        Assert.Throws<ArgumentException>(() => pool.Add(12, 2063));
        pool.Add(12, 3119);
        Assert.Equal(1, pool.Count(12));
        Assert.All(TestPrimes.OfBits(1024).Concat(TestPrimes.OfBits(1536)), p => Assert.Equal(3, (int)(p >> ((int)p.GetBitLength() - 2))));
    }

    [Fact]
    public void EmptyPoolGeneratesOnDemand()
    {
        var pool = new PrimePool(Backends.Gmp);
        using var prime = pool.Take(256, TestContext.Current.CancellationToken);
        Assert.True(SafePrimes.IsSafePrime(prime.Value, Backends.Gmp));
    }

    [Fact]
    public async Task FillReachesTheTargetAndReportsProgress()
    {
        var pool = new PrimePool(Backends.Gmp);
        var found = new List<int>();
        await pool.FillAsync(256, 3, new Relay(p => found.Add(p.Found)), TestContext.Current.CancellationToken);
        Assert.Equal(3, pool.Count(256));
        Assert.Equal(3, found.Max());
        await pool.FillAsync(256, 2, null, TestContext.Current.CancellationToken); // already full: no work
        Assert.Equal(3, pool.Count(256));
    }

    [Fact]
    public void SaveAndLoadRoundTripWithOwnerOnlyPermissions()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pool-{Guid.NewGuid():N}.txt");
        try
        {
            var pool = new PrimePool(Backends.Gmp);
            foreach (var p in TestPrimes.OfBits(1024).Take(2))
            {
                pool.Add(1024, p);
            }

            pool.Add(1536, TestPrimes.OfBits(1536)[0]);
            pool.Save(path);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }

            var loaded = PrimePool.Load(path, Backends.Gmp);
            Assert.Equal([1024, 1536], loaded.Sizes);
            Assert.Equal(2, loaded.Count(1024));
            Assert.Equal(1, loaded.Count(1536));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadingRejectsWhatIsNotASafePrime()
    {
        var pool = new PrimePool(Backends.Gmp);
        var notSafe = TestPrimes.OfBits(1024)[0] + 2;
        var error = Assert.Throws<FormatException>(() => pool.Read(new StringReader($"1024 {notSafe:x}\n")));
        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => pool.Read(new StringReader("1024\n")));
        Assert.Throws<FormatException>(() => pool.Read(new StringReader($"1536 {TestPrimes.OfBits(1024)[0]:x}\n")));
        Assert.Equal(0, pool.Count(1024));
    }

    [Fact]
    public void AddRejectsWrongLength()
    {
        var pool = new PrimePool(Backends.Gmp);
        Assert.Throws<ArgumentException>(() => pool.Add(1024, new BigInteger(23)));
    }

    private sealed class Relay(Action<SafePrimeProgress> report) : IProgress<SafePrimeProgress>
    {
        public void Report(SafePrimeProgress value) => report(value);
    }
}
