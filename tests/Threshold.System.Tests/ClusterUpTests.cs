using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Threshold.Cli;
using Threshold.Paillier;
using Threshold.Server.Hosting;
using Threshold.Testing;

namespace Threshold.System.Tests;

/// <summary>
/// `threshold cluster up` on a `cluster init` directory: every node and the aggregator run as child
/// processes, a wallet reaches the aggregator, and cancelling (what Ctrl+C does) stops them all.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ClusterUpTests
{
    [Fact]
    public async Task ClusterUpServesFromInitFilesAndStopsEveryProcess()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-up-");
        try
        {
            var basePort = RestartTests.FreeBasePort(3);
            await ClusterInit.CreateAsync(directory.FullName, 3, 2, basePort, SecurityLevel.Bits2048, primes: TestPrimes.Pool(), cancellationToken: ct);
            ClusterDirectory.AllowSlowMachines(directory.FullName);
            var output = new WatchedWriter("Ctrl+C stops every process.");
            using var error = new StringWriter();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var up = Program.Commands().Parse(["cluster", "up", "--dir", directory.FullName]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, stop.Token);

            var started = await Task.WhenAny(output.Seen, up).WaitAsync(TimeSpan.FromMinutes(3), ct);
            Assert.True(started == output.Seen, $"cluster up ended before serving: {error}\n{output}");
            foreach (var name in new[] { "node-1", "node-2", "node-3", "aggregator" })
            {
                Assert.Contains($"[{name}]", output.ToString(), StringComparison.Ordinal);
            }

            var info = await CliWalletTests.RunAsync(["client", "--aggregator", $"https://127.0.0.1:{basePort}", "--cert", Path.Combine(directory.FullName, "aggregator.pem"), "--wallet", Path.Combine(directory.FullName, "wallet.json"), "info"], ct);
            Assert.True(info.ExitCode == 0, info.Error);
            Assert.Contains("\"nodesTotal\": 3", info.Output, StringComparison.Ordinal);

            await stop.CancelAsync();
            Assert.Equal(0, await up.WaitAsync(TimeSpan.FromMinutes(1), ct));
            Assert.Contains("every process has stopped", output.ToString(), StringComparison.Ordinal);
            Assert.All(Enumerable.Range(basePort, 4), port => Assert.True(IsFree(port), $"port {port} still taken"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Collects what is written and completes <see cref="Seen"/> once <paramref name="marker"/> has appeared.</summary>
    private sealed class WatchedWriter(string marker) : TextWriter
    {
        private readonly StringBuilder text = new();
        private readonly TaskCompletionSource seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Seen => seen.Task;

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (text)
            {
                text.Append(value);
                if (value == '\n' && text.ToString().Contains(marker, StringComparison.Ordinal))
                {
                    seen.TrySetResult();
                }
            }
        }

        public override string ToString()
        {
            lock (text)
            {
                return text.ToString();
            }
        }
    }
}
