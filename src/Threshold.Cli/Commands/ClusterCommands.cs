using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Spectre.Console;
using Threshold.Client;
using Threshold.Paillier;
using Threshold.Rpc.Client;
using Threshold.Server.Hosting;

namespace Threshold.Cli.Commands;

/// <summary>
/// Running a cluster as separate processes: <c>threshold cluster init</c> writes the files,
/// <c>threshold node</c> and <c>threshold aggregator</c> run one process each, <c>threshold client</c>
/// talks to a running aggregator.
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
            await AnsiConsole.Status().StartAsync("initialising", async context =>
                await ClusterInit.CreateAsync(dir, parse.GetValue(nodes), parse.GetValue(threshold), parse.GetValue(basePort), SecurityLevel.FromName(parse.GetValue(level)!), new Progress<string>(m => context.Status(Markup.Escape(m))), postgres: parse.GetValue(postgres), cancellationToken: ct));
            AnsiConsole.MarkupLine($"Cluster files in [bold]{Markup.Escape(dir)}[/]: run `threshold node --config {Markup.Escape(Path.Combine(dir, "node-1.json"))}` for each node, then `threshold aggregator --config {Markup.Escape(Path.Combine(dir, "aggregator.json"))}`.");
            return 0;
        });
        return new Command("cluster", "Set up a cluster of separate processes.") { init };
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

    public static Command Client()
    {
        var address = new Option<string>("--aggregator") { Description = "The aggregator's address, e.g. https://127.0.0.1:7100.", Required = true };
        var certificate = new Option<FileInfo>("--cert") { Description = "The aggregator's certificate (PEM) to pin.", Required = true };
        var info = new Command("info", "Print the cluster's public description.");
        var curve = new Option<string>("--curve") { Description = "secp256k1 or p256.", DefaultValueFactory = _ => "secp256k1" };
        var message = new Option<string>("--message") { Description = "The message to sign.", DefaultValueFactory = _ => "hello from threshold client" };
        var sign = new Command("sign", "Register a fresh user, log in, generate a key and sign one message.") { curve, message };
        var client = new Command("client", "Talk to a running aggregator.") { address, certificate, info, sign };
        info.SetAction(async (parse, ct) =>
        {
            await using var wallet = Connect(parse, address, certificate, out var api);
            var cluster = await wallet.ConnectAsync(ct);
            Console.WriteLine(Google.Protobuf.JsonFormatter.Default.Format(cluster));
            return 0;
        });
        sign.SetAction(async (parse, ct) =>
        {
            await using var wallet = Connect(parse, address, certificate, out _);
            await wallet.ConnectAsync(ct);
            var password = RandomNumberGenerator.GetBytes(16);
            var user = await wallet.RegisterAsync(password, ct);
            await wallet.LoginAsync(user, password, cancellationToken: ct);
            var key = await wallet.GenerateKeyAsync(Threshold.Curves.Curve.FromName(parse.GetValue(curve)!), ct);
            var (signature, digest) = await wallet.SignMessageAsync(key.KeyId, System.Text.Encoding.UTF8.GetBytes(parse.GetValue(message)!), ct);
            Console.WriteLine($"user {user}, key {key.KeyId} ({key.Curve.Name}) {key.PublicKey}");
            Console.WriteLine($"digest {Convert.ToHexStringLower(digest)}");
            Console.WriteLine($"r {signature.R.ToHex()}  s {signature.S.ToHex()}  recovery id {signature.RecoveryId}  valid {ThresholdClient.Verify(key, digest, signature)}");
            await wallet.LogoutAsync(ct);
            return 0;
        });
        return client;
    }

    private static ThresholdClient Connect(ParseResult parse, Option<string> address, Option<FileInfo> certificate, out RpcWalletApi api)
    {
        var pinned = X509Certificate2.CreateFromPem(File.ReadAllText(parse.GetRequiredValue(certificate).FullName));
        api = new RpcWalletApi(new RpcClient(new Uri(parse.GetRequiredValue(address)), new RpcClientOptions { PinnedServerCertificate = pinned }));
        return new ThresholdClient(api, NodeRuntime.Opaque(Threshold.Opaque.OpaqueSuite.Ristretto255Sha512.Name));
    }

    private static async Task WaitForShutdownAsync(CancellationToken cancellationToken)
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
