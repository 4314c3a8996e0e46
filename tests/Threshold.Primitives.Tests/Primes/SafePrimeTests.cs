using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Primes;
using Threshold.Testing;

namespace Threshold.Tests.Primes;

public sealed class SafePrimeTests
{
    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    public void GeneratedPrimesAreSafeAndFullLength(int bits)
    {
        foreach (var backend in new[] { Backends.Gmp, Backends.Managed })
        {
            var p = SafePrimes.Generate(bits, backend, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(bits, p.GetBitLength());
            Assert.True((p >> (bits - 2)) == 3, "top two bits set");
            Assert.True(SafePrimes.IsSafePrime(p, Backends.Gmp));
        }
    }

    [Fact]
    public void PregeneratedTestPrimesAreSafe()
    {
        foreach (var bits in new[] { 1024, 1536 })
        {
            var primes = TestPrimes.OfBits(bits);
            Assert.Equal(16, primes.Count);
            Assert.Equal(16, primes.Distinct().Count());
            Assert.All(primes, p => Assert.True(p.GetBitLength() == bits && SafePrimes.IsSafePrime(p, Backends.Gmp, 20)));
        }
    }

    [Fact]
    public void ProgressIsReported()
    {
        var reports = new List<SafePrimeProgress>();
        var progress = new SynchronousProgress(reports.Add);
        SafePrimes.Generate(384, Backends.Gmp, progress, TestContext.Current.CancellationToken);
        Assert.NotEmpty(reports);
        var last = reports[^1];
        Assert.Equal(1, last.Found);
        Assert.True(last.Candidates > 0);
    }

    [Fact]
    public async Task CancellationStopsTheSearch()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SafePrimes.GenerateAsync(4096, Backends.Gmp, cancellationToken: cancel.Token));
    }

    [Fact]
    public async Task CancellationDuringASearchStopsIt()
    {
        using var cancel = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var progress = new SynchronousProgress(_ => started.TrySetResult());
        var search = SafePrimes.GenerateAsync(4096, Backends.Gmp, progress, cancel.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => search.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void NonSafePrimesAreRecognised()
    {
        Assert.True(SafePrimes.IsSafePrime(23, Backends.Managed)); // 23 = 2·11 + 1
        Assert.False(SafePrimes.IsSafePrime(29, Backends.Managed)); // 14 is not prime
        Assert.False(SafePrimes.IsSafePrime(13, Backends.Managed)); // 13 ≡ 1 (mod 4)
        Assert.False(SafePrimes.IsSafePrime(7 * 23, Backends.Managed));
    }

    private sealed class SynchronousProgress(Action<SafePrimeProgress> report) : IProgress<SafePrimeProgress>
    {
        public void Report(SafePrimeProgress value) => report(value);
    }
}
