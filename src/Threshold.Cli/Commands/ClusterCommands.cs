using System.CommandLine;
using Spectre.Console;
using Threshold.Paillier;
using Threshold.Server.Hosting;

namespace Threshold.Cli.Commands;

/// <summary>
/// Running a cluster as separate processes: <c>threshold cluster init</c> writes the files,
/// <c>threshold cluster up</c> runs them all as child processes, <c>threshold node</c> and
/// <c>threshold aggregator</c> run one process each (the wallet is <see cref="ClientCommands"/>).
/// </summary>
internal static class ClusterCommands
{
    public static Command Cluster()
    {
        var directory = new Option<DirectoryInfo>("--dir") { Description = "Directory for cluster.json, configurations and node data.", Required = true };
        var nodes = new Option<int>("--nodes") { Description = "n.", DefaultValueFactory = _ => 3 };
        var threshold = new Option<int>("--threshold") { Description = "t.", DefaultValueFactory = _ => 2 };
        var basePort = new Option<int>("--base-port") { Description = "The aggregator listens here, node i on base + i.", DefaultValueFactory = _ => 7100 };
        var level = new Option<string>("--level") { Description = "Paillier level: 2048 or 3072.", DefaultValueFactory = _ => "2048" };
        var postgres = new Option<string?>("--postgres") { Description = "Store nodes in PostgreSQL: a connection string in which {party} becomes each node's number, e.g. \"Host=db;Username=threshold;Database=threshold;Search Path=node{party}\" (the schemas must exist). SQLite files when absent." };
        var init = new Command("init", "Create node identities, certificates, safe primes and configuration files for a loopback cluster.") { directory, nodes, threshold, basePort, level, postgres };
        init.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetRequiredValue(directory).FullName;
            var usesPostgres = parse.GetValue(postgres) is not null;
            await AnsiConsole.Status().StartAsync("initialising", async context =>
                await ClusterInit.CreateAsync(dir, parse.GetValue(nodes), parse.GetValue(threshold), parse.GetValue(basePort), SecurityLevel.FromName(parse.GetValue(level)!), new Progress<string>(m => context.Status(Markup.Escape(m))), postgres: parse.GetValue(postgres), cancellationToken: ct));
            DescribeInit(AnsiConsole.Console, dir, usesPostgres);
            return 0;
        });
        return new Command("cluster", "Set up a cluster of separate processes, and run it on this machine.") { init, ClusterUp.Create() };
    }

    /// <summary>What <c>cluster init</c> made and where: files, addresses, and the commands to run next.</summary>
    private static void DescribeInit(IAnsiConsole console, string dir, bool postgres)
    {
        var cluster = ClusterFile.Load(Path.Combine(dir, "cluster.json"));
        var n = cluster.Nodes.Count;
        var last = cluster.Nodes[^1].NodeId;
        console.MarkupLine($"Cluster of {n} nodes, any {cluster.Threshold} of which sign, in [bold]{Markup.Escape(dir)}[/]:");
        var files = new Table().AddColumn("file").AddColumn("what it holds");
        files.AddRow("cluster.json", "public: t, every node's address, identity and TLS keys, the aggregator's certificates");
        files.AddRow(Markup.Escape(n == 1 ? "node-1.json" : $"node-1.json … {last}.json"), "each node's configuration");
        files.AddRow(Markup.Escape(n == 1 ? "node-1/" : $"node-1/ … {last}/"), postgres
            ? "each node's storage key (0600) and safe primes; its records in PostgreSQL"
            : "each node's storage key (0600), sealed database (identity, OPAQUE and TLS keys, key shares) and safe primes");
        files.AddRow("aggregator.json", "the aggregator's configuration");
        files.AddRow("aggregator/", "its TLS and client certificates with private keys (PKCS#12, 0600)");
        files.AddRow("aggregator.pem", "the aggregator's certificate, for wallets to pin (--cert)");
        files.AddRow("consensus.db", "the store the nodes share (login budgets), created when the first node starts");
        console.Write(files);

        var processes = new Table().AddColumn("process").AddColumn("address").AddColumn("run it alone with");
        processes.AddRow("aggregator", cluster.Aggregator.Address, Markup.Escape($"threshold aggregator --config {Path.Combine(dir, "aggregator.json")}"));
        foreach (var node in cluster.Nodes)
        {
            processes.AddRow(node.NodeId, node.Address, Markup.Escape($"threshold node --config {Path.Combine(dir, node.NodeId + ".json")}"));
        }

        console.Write(processes);
        // Commands as plain lines, unwrapped, to copy and paste.
        var next = Console.Out;
        next.WriteLine("Next: start every node and then the aggregator (Ctrl+C stops them all), then register a wallet:");
        next.WriteLine($"  threshold cluster up --dir {dir}");
        next.WriteLine($"  threshold client --aggregator {cluster.Aggregator.Address} --cert {Path.Combine(dir, "aggregator.pem")} register");
        next.WriteLine("  threshold client login");
        next.WriteLine("  threshold client keygen");
        next.WriteLine("  threshold client sign --key <key id> --message \"hello\"");
    }

    /// <summary><c>threshold node</c>: exit code 0 after Ctrl+C, 3 on a rolled-back database, 1 when it cannot start.</summary>
    public static Command Node()
    {
        var config = new Option<FileInfo>("--config") { Description = "The node's configuration (node-N.json).", Required = true };
        var level = ServiceLogging.Level();
        var command = new Command("node", "Run one key-server node until interrupted (logs JSON lines on standard output).") { config, level, Unlock() };
        command.SetAction(async (parse, ct) =>
        {
            if (GlobalOptions.Apply(parse) is { } failed)
            {
                return failed;
            }

            using var loggers = ServiceLogging.Create(parse.GetValue(level));
            var logger = loggers.CreateLogger("Threshold.Cli");
            try
            {
                await using var node = await NodeRuntime.StartAsync(NodeConfig.Load(parse.GetRequiredValue(config).FullName), loggers, ct);
                await WaitForShutdownAsync(ct);
                return 0;
            }
            catch (RollbackDetectedException)
            {
                return 3; // logged by the runtime, with both versions
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                CliLog.StartFailed(logger, "node", e.GetType().Name, e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>
    /// <c>threshold node unlock --config node-1.json --user &lt;id&gt; --reason "…"</c>: fills a user's login
    /// budget cluster-wide (through the consensus store, so the nodes may keep running); every node
    /// records the unlock, with who and why, in its audit log.
    /// </summary>
    private static Command Unlock()
    {
        var config = new Option<FileInfo>("--config") { Description = "A node's configuration (node-N.json): names the cluster's consensus store.", Required = true };
        var user = new Option<string>("--user") { Description = "The user id (32 lowercase hexadecimal characters).", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why (kept in every node's audit log, at most 500 characters).", DefaultValueFactory = _ => "" };
        var command = new Command("unlock", "Refill a user's login budget cluster-wide (audited by every node).") { config, user, reason };
        command.SetAction(async (parse, ct) =>
        {
            var node = NodeConfig.Load(parse.GetRequiredValue(config).FullName);
            var userId = parse.GetRequiredValue(user);
            try
            {
                var sequence = await LoginUnlock.RunAsync(node, userId, LoginUnlock.Operator(node), parse.GetValue(reason) ?? "", ct);
                Console.WriteLine($"user {userId} unlocked cluster-wide (unlock #{sequence}); each node records it in its audit log (kind login_unlock) within a second, or when it next starts");
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }


    /// <summary><c>threshold aggregator</c>: starts with whatever nodes are up and reports the others.</summary>
    public static Command Aggregator()
    {
        var config = new Option<FileInfo>("--config") { Description = "The aggregator's configuration (aggregator.json).", Required = true };
        var level = ServiceLogging.Level();
        var command = new Command("aggregator", "Run the aggregator until interrupted; nodes that are down are reported and used once they come up (logs JSON lines on standard output).") { config, level };
        command.SetAction(async (parse, ct) =>
        {
            using var loggers = ServiceLogging.Create(parse.GetValue(level));
            var logger = loggers.CreateLogger("Threshold.Cli");
            try
            {
                await using var aggregator = await AggregatorRuntime.StartAsync(AggregatorConfig.Load(parse.GetRequiredValue(config).FullName), loggers, ct);
                await WaitForShutdownAsync(ct);
                return 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                CliLog.StartFailed(logger, "aggregator", e.GetType().Name, e.Message);
                return 1;
            }
        });
        return command;
    }

    internal static async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
