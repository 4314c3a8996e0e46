using System.Diagnostics;
using System.Text.Json;

namespace Threshold.System.Tests;

/// <summary>
/// <c>threshold node --config …</c> as a separate process (the CLI is built into the test output), so a
/// test can kill it with SIGKILL as an operator's <c>kill -9</c> or a power cut would. Its JSON log lines
/// are collected; tests wait for a log event or for the exit, never for a time.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Lock gate = new();
    private readonly List<string> lines = [];
    private readonly List<(int EventId, TaskCompletionSource Seen)> waiters = [];
    private readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<int> events = [];

    private NodeProcess(Process process) => this.process = process;

    /// <summary>Everything it printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (gate)
            {
                return string.Join('\n', lines);
            }
        }
    }

    /// <summary>Starts <c>threshold node --config <paramref name="configPath"/></c>.</summary>
    public static NodeProcess Start(string configPath)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "threshold.dll");
        Assert.True(File.Exists(cli), $"the threshold command is not in the test output ({cli})");
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        if (!File.Exists(Path.ChangeExtension(cli, ".runtimeconfig.json")))
        {
            // Referenced executables do not always bring their runtime configuration along: use the tests' one (same frameworks).
            info.ArgumentList.Add("--runtimeconfig");
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Threshold.System.Tests.runtimeconfig.json"));
        }

        info.ArgumentList.Add(cli);
        info.ArgumentList.Add("node");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(configPath);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var node = new NodeProcess(process);
        process.OutputDataReceived += (_, e) => node.Line(e.Data);
        process.ErrorDataReceived += (_, e) => node.Line(e.Data);
        process.Exited += (_, _) => node.exited.TrySetResult();
        Assert.True(process.Start(), "could not start the threshold command");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Waits for a log entry with <paramref name="eventId"/>; fails if the process exits first or the time runs out.</summary>
    public async Task WaitForEventAsync(int eventId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (events.Contains(eventId))
            {
                return;
            }

            waiters.Add((eventId, seen));
        }

        Task first;
        try
        {
            first = await Task.WhenAny(seen.Task, exited.Task).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {timeout.TotalSeconds} s for log event {eventId} from the node process; it printed:\n{Output}");
            return;
        }

        if (first != seen.Task && !seen.Task.IsCompleted)
        {
            Assert.Fail($"the node process exited before log event {eventId}; it printed:\n{Output}");
        }
    }

    /// <summary>Whether it logged <paramref name="eventId"/>.</summary>
    public bool Logged(int eventId)
    {
        lock (gate)
        {
            return events.Contains(eventId);
        }
    }

    /// <summary>Sends SIGKILL: the process gets no chance to run any code of its own.</summary>
    public void Kill() => process.Kill(entireProcessTree: false);

    /// <summary>Sends SIGSTOP: the process stays, its sockets accept connections, and nothing answers (a hung node).</summary>
    public void Freeze() => Signal(SigStop);

    /// <summary>Sends SIGCONT: a frozen process runs on.</summary>
    public void Thaw() => Signal(SigCont);

    /// <summary>Waits for the exit and returns the exit code; fails after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"waited {timeout.TotalSeconds} s for the node process to exit; it printed:\n{Output}");
        }

        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private const int SigCont = 18;
    private const int SigStop = 19;

    [global::System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private void Signal(int signal) =>
        Assert.True(SendSignal(process.Id, signal) == 0, $"kill({process.Id}, {signal}) failed: errno {(global::System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");

    private void Line(string? line)
    {
        if (line is null)
        {
            return;
        }

        int? eventId = null;
        if (line.StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.TryGetProperty("EventId", out var id) && id.ValueKind == JsonValueKind.Number)
                {
                    eventId = id.GetInt32();
                }
            }
            catch (JsonException)
            {
            }
        }

        List<TaskCompletionSource> seen = [];
        lock (gate)
        {
            lines.Add(line);
            if (eventId is { } e)
            {
                events.Add(e);
                seen = [.. waiters.Where(w => w.EventId == e).Select(w => w.Seen)];
                waiters.RemoveAll(w => w.EventId == e);
            }
        }

        seen.ForEach(s => s.TrySetResult());
    }
}
