using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Grpc.Core;

namespace Threshold.Server.Tests;

/// <summary>
/// The standard gRPC client for Node (@grpc/grpc-js, tests/interop/grpc-js) calls our gRPC host (the echo service, over TLS), loading the same echo.proto.
/// Needs node on PATH and <c>npm ci --prefix tests/interop/grpc-js</c> (done by .ci/run); fails, never
/// skips, when either is missing.
/// </summary>
public sealed class InteropTests
{
    [Fact]
    public async Task GrpcJsClientCallsOurServer()
    {
        var root = RepositoryRoot();
        var interop = Path.Combine(root, "tests", "interop", "grpc-js");
        Assert.True(
            Directory.Exists(Path.Combine(interop, "node_modules", "@grpc", "grpc-js")),
            $"the grpc-js modules are missing: run `npm ci --prefix tests/interop/grpc-js` in {root}");

        await using var server = await TestServer.StartAsync();
        var pem = Path.Combine(Path.GetTempPath(), $"threshold-grpc-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(pem, server.Certificate.ExportCertificatePem(), TestContext.Current.CancellationToken);
        try
        {
            var proto = Path.Combine(root, "tests", "Threshold.Server.Tests", "Protos", "echo.proto");
            var (exit, stdout, stderr) = await RunNodeAsync(interop, "echo-client.js", server.Host.Address.Authority, pem, proto, GoogleApiProtos());
            Assert.True(exit == 0, $"echo-client.js exited with {exit}: {stderr}");
            using var result = JsonDocument.Parse(stdout);
            var reply = result.RootElement.GetProperty("reply");
            Assert.Equal("hello from grpc-js", reply.GetProperty("text").GetString());
            Assert.Equal("AQID", reply.GetProperty("payload").GetString());
            Assert.Equal("from-grpc-js", reply.GetProperty("headerValue").GetString());
            Assert.Equal("application/grpc", reply.GetProperty("protocol").GetString());
            Assert.Equal("from-grpc-js", result.RootElement.GetProperty("trailer").GetString());
            Assert.Equal((int)StatusCode.NotFound, result.RootElement.GetProperty("fail").GetProperty("code").GetInt32());
            Assert.Equal("no such key: 100% ü", result.RootElement.GetProperty("fail").GetProperty("details").GetString());
            Assert.Equal((int)StatusCode.DeadlineExceeded, result.RootElement.GetProperty("slow").GetProperty("code").GetInt32());
        }
        finally
        {
            File.Delete(pem);
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunNodeAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"node is not on PATH (Node.js 20 or later is needed for the grpc-js interop test): {e.Message}");
            throw;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            try
            {
                await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }

    /// <summary>The directory holding google/api/annotations.proto (Google.Api.CommonProtos, recorded at build time).</summary>
    internal static string GoogleApiProtos() =>
        typeof(InteropTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GoogleApiProtos").Value
            ?? throw new InvalidOperationException("the build recorded no path for google/api protos");

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Threshold.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Threshold.sln above {AppContext.BaseDirectory}");
    }
}
