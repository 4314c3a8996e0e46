using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Threshold.Storage.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL server for the tests: <c>initdb</c> into a temporary directory, started with
/// <c>pg_ctl</c> on 127.0.0.1 and a free port (fsync off, socket in the same directory), stopped and
/// deleted afterwards. PostgreSQL refuses to run as root, so under root the server runs as the
/// <c>postgres</c> user (or <c>nobody</c>) through <c>runuser</c> (or <c>su</c>). Missing binaries fail the tests
/// with a message saying what to install.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string? directory;
    private string? binaries;
    private string? runAs;

    public string AdminConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        binaries = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) were found neither on PATH nor under /usr/lib/postgresql/*/bin. " +
            "Install them (Debian: apt-get install -y postgresql) to run the PostgreSQL storage tests.");
        runAs = Environment.UserName == "root" || GetUid() == 0 ? UnprivilegedUser() : null;
        var root = runAs is null ? Path.GetTempPath() : "/tmp"; // the server's user must be able to reach it
        directory = Path.Combine(root, $"threshold-pg-{Guid.NewGuid():N}"[..24]);
        Directory.CreateDirectory(directory);
        if (runAs is not null)
        {
            await RunAsync("chown", [runAs, directory], asServerUser: false);
        }

        var data = Path.Combine(directory, "data");
        await RunAsync(Path.Combine(binaries, "initdb"), ["-D", data, "-U", "threshold", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asServerUser: true);

        // A port free a moment ago may be taken by the time the server binds: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            try
            {
                await RunAsync(
                    Path.Combine(binaries, "pg_ctl"),
                    ["-D", data, "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "-o",
                     $"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"],
                    asServerUser: true);
                AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=threshold;Database=postgres;Timeout=30;Command Timeout=60";
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>A connection string for a new, empty schema of its own.</summary>
    public async Task<string> NewSchemaAsync(CancellationToken cancellationToken)
    {
        var schema = $"t_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { SearchPath = schema }.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (directory is null)
        {
            return;
        }

        try
        {
            if (binaries is not null && File.Exists(Path.Combine(directory, "data", "postmaster.pid")))
            {
                NpgsqlConnection.ClearAllPools();
                await RunAsync(Path.Combine(binaries, "pg_ctl"), ["-D", Path.Combine(directory, "data"), "-m", "fast", "-w", "-t", "60", "stop"], asServerUser: true);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string? FindBinaries()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "postgres")));
    }

    private static string UnprivilegedUser()
    {
        foreach (var user in new[] { "postgres", "nobody" })
        {
            var id = Process.Start(new ProcessStartInfo("id", ["-u", user]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            id.WaitForExit();
            if (id.ExitCode == 0)
            {
                return user;
            }
        }

        throw new InvalidOperationException("running as root, and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL as");
    }

    private static uint GetUid()
    {
        var id = Process.Start(new ProcessStartInfo("id", ["-u"]) { RedirectStandardOutput = true })!;
        var output = id.StandardOutput.ReadToEnd();
        id.WaitForExit();
        return uint.TryParse(output.Trim(), out var uid) ? uid : uint.MaxValue;
    }

    private async Task RunAsync(string program, string[] arguments, bool asServerUser)
    {
        ProcessStartInfo start;
        if (asServerUser && runAs is not null && (File.Exists("/usr/sbin/runuser") || File.Exists("/sbin/runuser")))
        {
            start = new ProcessStartInfo("runuser", ["-u", runAs, "--", program, .. arguments]);
        }
        else if (asServerUser && runAs is not null)
        {
            // No runuser (not util-linux): su with a quoted command line.
            var command = string.Join(' ', new[] { program }.Concat(arguments).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
            start = new ProcessStartInfo("su", ["-s", "/bin/sh", runAs, "-c", command]);
        }
        else
        {
            start = new ProcessStartInfo(program, arguments);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["LC_ALL"] = "C";
        start.WorkingDirectory = directory ?? "/";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var log = directory is not null && File.Exists(Path.Combine(directory, "server.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "server.log")) : "";
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}\n{log}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
