using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Threshold.Server;

namespace Threshold.System.Tests;

/// <summary>
/// A standard gRPC client (@grpc/grpc-js with @grpc/proto-loader, loading our wallet.proto) calls the
/// aggregator of a loopback-TLS cluster. Needs node and `npm ci --prefix tests/interop/grpc-js` (.ci/run
/// does it); fails, never skips, without them.
/// </summary>
[Trait("Category", "Slow")]
public sealed class GrpcJsInteropTests
{
    [Fact]
    public async Task GrpcJsGetsTheClusterInfo()
    {
        var ct = TestContext.Current.CancellationToken;
        var interop = Path.Combine(RepositoryRoot(), "tests", "interop", "grpc-js");
        Assert.True(Directory.Exists(Path.Combine(interop, "node_modules", "@grpc", "grpc-js")), "run `npm ci --prefix tests/interop/grpc-js` first");
        await using var cluster = await EmbeddedCluster.StartAsync(
            InProcessCluster.Options(3, 2) with
            {
                OverLoopbackTls = true,
            },
            ct);
        var pem = Path.Combine(Path.GetTempPath(), $"threshold-aggregator-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pem, cluster.AggregatorCertificatePem, ct);
        try
        {
            var start = new ProcessStartInfo("node") { WorkingDirectory = interop, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("wallet-client.js");
            start.ArgumentList.Add(cluster.AggregatorAddress!.Authority);
            start.ArgumentList.Add(pem);
            start.ArgumentList.Add(GoogleApiProtos()); // wallet.proto imports google/api/annotations.proto
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (Win32Exception e)
            {
                Assert.Fail($"node is not on PATH: {e.Message}");
                throw;
            }

            using (process)
            {
                var stdout = process.StandardOutput.ReadToEndAsync(ct);
                var stderr = process.StandardError.ReadToEndAsync(ct);
                await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(60), ct);
                Assert.True(process.ExitCode == 0, $"wallet-client.js exited with {process.ExitCode}: {await stderr}");
                using var info = JsonDocument.Parse(await stdout);
                Assert.Equal(3, info.RootElement.GetProperty("nodesTotal").GetInt32());
                Assert.Equal(2, info.RootElement.GetProperty("threshold").GetInt32());
                Assert.Equal(3, info.RootElement.GetProperty("nodes").GetArrayLength());
                Assert.Equal(cluster.Aggregator.GetClusterInfo().Fingerprint, info.RootElement.GetProperty("fingerprint").GetString());
            }
        }
        finally
        {
            File.Delete(pem);
        }
    }

    /// <summary>The directory holding google/api/annotations.proto (Google.Api.CommonProtos, recorded at build time).</summary>
    private static string GoogleApiProtos() =>
        typeof(GrpcJsInteropTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GoogleApiProtos").Value
            ?? throw new InvalidOperationException("the build recorded no path for google/api protos");

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Threshold.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("no Threshold.sln above the test binaries");
    }
}
