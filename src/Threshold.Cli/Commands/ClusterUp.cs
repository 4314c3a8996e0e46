using System.CommandLine;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Spectre.Console;
using Threshold.Server.Hosting;

namespace Threshold.Cli.Commands;

/// <summary>
/// <c>threshold cluster up --dir ./cluster</c>: runs a <c>cluster init</c> directory on this machine. Every node
/// starts as a child process (<c>threshold node --config …</c>), then, once all serve, the aggregator; their
/// output is passed through with the process's name in front. Ctrl+C (or SIGTERM) stops the aggregator and
/// then the nodes, each with SIGTERM so it shuts down cleanly; one that has not ended after 20 s is killed.
/// A child that ends by itself stops the rest.
/// </summary>
internal static partial class ClusterUp
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    public static Command Create()
    {
        var directory = new Option<DirectoryInfo>("--dir") { Description = "A directory made by `threshold cluster init`.", Required = true };
        var command = new Command("up", "Start every node and then the aggregator of a `cluster init` directory as child processes; Ctrl+C stops them all.") { directory };
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetRequiredValue(directory).FullName;
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!File.Exists(Path.Combine(dir, "cluster.json")) || !File.Exists(Path.Combine(dir, "aggregator.json")))
            {
                error.WriteLine($"error: {dir} holds no cluster.json and aggregator.json: run `threshold cluster init --dir {dir}` first");
                return 2;
            }

            var cluster = ClusterFile.Load(Path.Combine(dir, "cluster.json"));
            var extra = parse.GetValue(GlobalOptions.Arithmetic) is { } arithmetic ? new[] { "--arithmetic", arithmetic } : [];
            return await RunAsync(dir, cluster, extra, output, error, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(string dir, ClusterFile cluster, string[] extra, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var writer = TextWriter.Synchronized(output);
        var nodes = new List<Child>();
        Child? aggregator = null;
        try
        {
            foreach (var node in cluster.Nodes)
            {
                nodes.Add(Child.Start(node.NodeId, ["node", "--config", Path.Combine(dir, node.NodeId + ".json"), .. extra], writer));
            }

            await Task.WhenAll(nodes.Select(n => n.Ready.WaitAsync(StartTimeout, ct)));
            aggregator = Child.Start("aggregator", ["aggregator", "--config", Path.Combine(dir, "aggregator.json"), .. extra], writer);
            await aggregator.Ready.WaitAsync(StartTimeout, ct);

            var console = ReferenceEquals(output, Console.Out) ? AnsiConsole.Console : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No });
            var table = new Table().AddColumn("process").AddColumn(new TableColumn("pid").RightAligned()).AddColumn("serving on");
            foreach (var child in nodes.Append(aggregator))
            {
                table.AddRow(child.Name, child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(child.Ready.Result));
            }

            console.Write(table);
            writer.WriteLine($"Cluster up (any {cluster.Threshold} of {cluster.Nodes.Count} nodes sign). A wallet starts with:");
            writer.WriteLine($"  threshold client --aggregator {aggregator.Ready.Result} --cert {Path.Combine(dir, "aggregator.pem")} register");
            writer.WriteLine("Ctrl+C stops every process.");

            var ended = await Task.WhenAny(nodes.Append(aggregator).Select(c => c.Exited)).WaitAsync(ct);
            var which = nodes.Append(aggregator).First(c => c.Exited == ended);
            error.WriteLine($"error: {which.Name} ended by itself (exit code {ended.Result}); stopping the others");
            return 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e) when (e is TimeoutException or ChildFailedException or global::System.ComponentModel.Win32Exception)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
        finally
        {
            // The aggregator first, so no node goes away under a request it is relaying.
            if (aggregator is not null)
            {
                await aggregator.StopAsync(StopTimeout);
            }

            await Task.WhenAll(nodes.Select(n => n.StopAsync(StopTimeout)));
            writer.WriteLine(nodes.Count == 0 ? "nothing was started" : "every process has stopped");
        }
    }

    /// <summary>How to run this same program: its apphost next to it, else the .NET host with its assembly.</summary>
    private static (string File, string[] Prefix) Self()
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "threshold.exe" : "threshold");
        if (File.Exists(apphost))
        {
            return (apphost, []);
        }

        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } configured ? configured : "dotnet";
        return (host, ["exec", typeof(ClusterUp).Assembly.Location]);
    }

    /// <summary>A node or the aggregator as a child process.</summary>
    private sealed partial class Child
    {
        private readonly Process process;
        private readonly TaskCompletionSource<string> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<int> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Child(string name, Process process)
        {
            Name = name;
            this.process = process;
        }

        public string Name { get; }

        public int Id => process.Id;

        /// <summary>Completes with the address once the process says it is serving; fails if it ends first.</summary>
        public Task<string> Ready => ready.Task;

        /// <summary>Completes with the exit code when the process ends.</summary>
        public Task<int> Exited => exited.Task;

        public static Child Start(string name, string[] arguments, TextWriter output)
        {
            var (file, prefix) = Self();
            var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in prefix.Concat(arguments))
            {
                info.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var child = new Child(name, process);
            process.OutputDataReceived += (_, e) => child.Forward(e.Data, output, fromError: false);
            process.ErrorDataReceived += (_, e) => child.Forward(e.Data, output, fromError: true);
            process.Exited += (_, _) =>
            {
                var code = process.ExitCode;
                child.ready.TrySetException(new ChildFailedException($"{name} ended before serving (exit code {code})"));
                child.exited.TrySetResult(code);
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        /// <summary>Asks the process to end (SIGTERM: it shuts down cleanly), and kills it if it has not within <paramref name="timeout"/>.</summary>
        public async Task StopAsync(TimeSpan timeout)
        {
            if (exited.Task.IsCompleted)
            {
                return;
            }

            if (OperatingSystem.IsWindows() || Interop.Signals.Terminate(process.Id) != 0)
            {
                process.Kill(entireProcessTree: true);
            }

            try
            {
                await exited.Task.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                await exited.Task;
            }

            process.Dispose();
        }

        private void Forward(string? line, TextWriter output, bool fromError)
        {
            if (line is null)
            {
                return;
            }

            output.WriteLine($"[{Name}]{(fromError ? " (stderr)" : "")} {line}");
            if (!fromError && Serving().Match(line) is { Success: true } match)
            {
                ready.TrySetResult(match.Groups["address"].Value);
            }
        }

        /// <summary>The line `threshold node` and `threshold aggregator` print once they serve.</summary>
        [GeneratedRegex(@"serving (?:the wallet API )?on (?<address>\S+)")]
        private static partial Regex Serving();
    }

    /// <summary>A child process ended before it served.</summary>
    private sealed class ChildFailedException(string message) : Exception(message);
}
