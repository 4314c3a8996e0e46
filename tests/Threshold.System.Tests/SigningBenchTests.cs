using System.Text.Json;

namespace Threshold.System.Tests;

/// <summary>
/// `threshold bench signing --json`, shortened: it reports the warm-pool and the sustained rate under their
/// own names (no rate in a field called median_ms), and the sustained run accounts for every signature.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SigningBenchTests
{
    [Fact]
    public async Task ReportsTheWarmPoolAndTheSustainedRateEachUnderItsName()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = await CliWalletTests.RunAsync(["bench", "signing", "--signatures", "2", "--concurrency", "2", "--duration", "1", "--json"], ct);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.DoesNotContain("median_ms", run.Output, StringComparison.Ordinal);
        var report = JsonDocument.Parse(run.Output).RootElement;

        var warm = report.GetProperty("warm_pool");
        Assert.Equal(2, warm.GetProperty("signatures").GetInt32());
        Assert.Equal(4, warm.GetProperty("throughput_signatures").GetInt32());
        Assert.True(warm.GetProperty("signatures_per_second").GetDouble() > 0);

        var sustained = report.GetProperty("sustained");
        var signatures = sustained.GetProperty("signatures").GetInt32();
        Assert.True(signatures >= 2, "each wallet signs at least once");
        Assert.Equal(signatures, sustained.GetProperty("from_pool").GetInt64() + sustained.GetProperty("presigned_inline").GetInt64());
        Assert.True(sustained.GetProperty("presigned_inline").GetInt64() >= 1, "the pool starts empty: the first signature waits for a presigning run");
        Assert.True(sustained.GetProperty("signatures_per_second").GetDouble() > 0);
        Assert.Equal(2, sustained.GetProperty("pool_concurrent_runs").GetInt32());
    }
}
