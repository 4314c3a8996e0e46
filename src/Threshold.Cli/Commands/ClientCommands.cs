using System.Diagnostics;
using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Spectre.Console;
using Threshold.Cli.Wallet;
using Threshold.Client;
using Threshold.Contracts.V1;
using Threshold.Curves;
using Curve = Threshold.Curves.Curve;
using Threshold.Server.Hosting;

namespace Threshold.Cli.Commands;

/// <summary>
/// <c>threshold client …</c>: a wallet for one user of a running cluster. <c>register</c> creates the user
/// and the wallet file, <c>login</c> opens a session with every node and keeps it in the wallet file,
/// <c>keygen</c>, <c>keys</c>, <c>sign</c> and <c>logout</c> use it; <c>info</c> shows the cluster. What the
/// wallet file holds, and why it is mode 0600, is in <see cref="WalletFile"/>.
/// </summary>
internal static class ClientCommands
{
    /// <summary>
    /// Channel messages one command may seal per node. The wallet file records the counters this far ahead
    /// before anything is sent, so no crash can make a later command reuse one (a command seals at most two).
    /// </summary>
    private const ulong MessagesPerCommand = 8;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var address = new Option<string?>("--aggregator") { Description = "The aggregator's address, e.g. https://127.0.0.1:7100 (default: the wallet's).", Recursive = true };
        var certificate = new Option<FileInfo?>("--cert") { Description = "The aggregator's TLS certificate (PEM) to pin, e.g. ./cluster/aggregator.pem (default: the one the wallet pinned at registration).", Recursive = true };
        var wallet = new Option<FileInfo?>("--wallet") { Description = "The wallet file (default: $THRESHOLD_WALLET, else ~/.threshold/wallet.json). Mode 0600: it holds session keys.", Recursive = true };
        var options = new ClientOptions(address, certificate, wallet);
        var client = new Command("client", "A wallet for one user of a running cluster: register, log in, generate keys, sign, log out.")
        {
            address, certificate, wallet,
            Info(options), Register(options), Login(options), Keygen(options), Keys(options), Sign(options), Logout(options),
        };
        return client;
    }

    private static Option<FileInfo?> PasswordFile() => new("--password-file")
    {
        Description = $"Read the password from this file's first line (for scripts; or set {Passwords.EnvironmentVariable}). Without either, it is asked for without echo.",
    };

    private static Option<bool> JsonOutput() => new("--json") { Description = "Print one JSON object instead of text." };

    private static Command Info(ClientOptions options)
    {
        var command = new Command("info", "Print the cluster's public description, as the aggregator gives it.");
        command.SetAction((parse, ct) => RunAsync(parse, options, async context =>
        {
            var stored = WalletFile.Load(context.WalletPath);
            await using var connection = await ConnectAsync(context, stored, ct);
            context.Output.WriteLine(JsonFormatter.Default.Format(connection.Cluster));
            return 0;
        }));
        return command;
    }

    private static Command Register(ClientOptions options)
    {
        var passwordFile = PasswordFile();
        var command = new Command("register", "Register a new user with every node and create the wallet file (asks for a password twice).") { passwordFile };
        command.SetAction((parse, ct) => RunAsync(parse, options, async context =>
        {
            using var walletLock = WalletFile.Lock(context.WalletPath);
            if (WalletFile.Load(context.WalletPath) is { UserId: { } existing })
            {
                return context.Fail(2, $"{context.WalletPath} already holds user {existing}; give another --wallet for another user");
            }

            if (parse.GetValue(options.Address) is null || parse.GetValue(options.Certificate) is null)
            {
                return context.Fail(2, "register needs --aggregator and --cert (later commands take them from the wallet)");
            }

            var (password, error) = Passwords.Read(parse.GetValue(passwordFile), confirm: true, context.Console);
            if (password is null)
            {
                return context.Fail(2, error!);
            }

            try
            {
                await using var connection = await ConnectAsync(context, null, ct);
                var user = await connection.Client.RegisterAsync(password, ct);
                var created = new WalletFile(WalletFile.CurrentFormat, connection.Address.ToString(), connection.CertificatePem, ClusterDigest(connection.Cluster), connection.Cluster.OpaqueSuite, user, [], null);
                try
                {
                    created.Save(context.WalletPath);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return context.Fail(1, $"registered user {user}, but the wallet file could not be written ({e.Message}); keep this id to log in");
                }

                context.Console.MarkupLine($"Registered user [bold]{user}[/] with {connection.Cluster.NodesTotal} nodes; wallet in {Markup.Escape(context.WalletPath)} (mode 0600).");
                context.Console.MarkupLine("Next: [bold]threshold client login[/], then [bold]threshold client keygen[/].");
                return 0;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(password);
            }
        }));
        return command;
    }

    private static Command Login(ClientOptions options)
    {
        var passwordFile = PasswordFile();
        var command = new Command("login", "Log in to the nodes with the password (OPAQUE) and keep the session in the wallet file.") { passwordFile };
        command.SetAction((parse, ct) => RunAsync(parse, options, async context =>
        {
            using var walletLock = WalletFile.Lock(context.WalletPath);
            var stored = RequireUser(context);
            var (password, error) = Passwords.Read(parse.GetValue(passwordFile), confirm: false, context.Console);
            if (password is null)
            {
                return context.Fail(2, error!);
            }

            try
            {
                await using var connection = await ConnectAsync(context, stored, ct);
                var started = Stopwatch.GetTimestamp();
                await connection.Client.LoginAsync(stored.UserId!, password, cancellationToken: ct);
                var took = Stopwatch.GetElapsedTime(started);
                using var session = connection.Client.ExportSession();
                stored.WithSession(session).Save(context.WalletPath);
                context.Console.MarkupLine(Markup.Escape($"Logged in as {stored.UserId} to {string.Join(", ", session.Nodes.Select(n => n.NodeId))} in {took.TotalMilliseconds:0} ms, until {Format(session.ExpiresAt)} at the latest."));
                context.Console.MarkupLine($"The session keys are in {Markup.Escape(context.WalletPath)} (mode 0600) until [bold]threshold client logout[/].");
                return 0;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(password);
            }
        }));
        return command;
    }

    private static Command Keygen(ClientOptions options)
    {
        var curve = new Option<string>("--curve") { Description = "secp256k1 or p256.", DefaultValueFactory = _ => "secp256k1" };
        var json = JsonOutput();
        var command = new Command("keygen", "Generate a key with every node (needs a session with each) and add it to the wallet.") { curve, json };
        command.SetAction((parse, ct) => RunAsync(parse, options, context => WithSessionAsync(context, ct, async (connection, stored) =>
        {
            var key = await connection.Client.GenerateKeyAsync(Curve.FromName(parse.GetValue(curve)!), ct);
            var entry = new WalletKey(key.KeyId, CurveName(key.Curve), Convert.ToHexStringLower(key.PublicKey.Encode()), DateTimeOffset.UtcNow);
            if (parse.GetValue(json))
            {
                context.Output.WriteLine(JsonSerializer.Serialize(new { key_id = entry.KeyId, curve = entry.Curve, public_key = entry.PublicKey }, Json));
            }
            else
            {
                context.Console.MarkupLine($"Key [bold]{entry.KeyId}[/] ({Markup.Escape(entry.Curve)}), public key {entry.PublicKey}");
                context.Console.MarkupLine($"Sign with: [bold]threshold client sign --key {entry.KeyId} --message \"…\"[/]");
            }

            return (0, stored with { Keys = [.. stored.Keys, entry] });
        })));
        return command;
    }

    private static Command Keys(ClientOptions options)
    {
        var json = JsonOutput();
        var command = new Command("keys", "List the keys this wallet generated.") { json };
        command.SetAction((parse, ct) => RunAsync(parse, options, context =>
        {
            var stored = RequireUser(context);
            if (parse.GetValue(json))
            {
                context.Output.WriteLine(JsonSerializer.Serialize(new { user_id = stored.UserId, keys = stored.Keys.Select(k => new { key_id = k.KeyId, curve = k.Curve, public_key = k.PublicKey, created_at = k.CreatedAt }) }, Json));
                return Task.FromResult(0);
            }

            if (stored.Keys.Count == 0)
            {
                context.Console.MarkupLine($"User {stored.UserId} has no keys yet: [bold]threshold client keygen[/].");
                return Task.FromResult(0);
            }

            var table = new Table().AddColumn("key id").AddColumn("curve").AddColumn("public key (SEC1 compressed)").AddColumn("created (UTC)");
            foreach (var key in stored.Keys)
            {
                table.AddRow(Markup.Escape(key.KeyId), Markup.Escape(key.Curve), Markup.Escape(key.PublicKey), Format(key.CreatedAt));
            }

            context.Console.Write(table);
            return Task.FromResult(0);
        }));
        return command;
    }

    private static Command Sign(ClientOptions options)
    {
        var key = new Option<string>("--key") { Description = "The key id (see `threshold client keys`).", Required = true };
        var message = new Option<string>("--message") { Description = "The message (UTF-8). Signed as its Keccak-256 digest on secp256k1 (as Ethereum does), SHA-256 on P-256.", Required = true };
        var json = JsonOutput();
        var command = new Command("sign", "Sign a message with one of the wallet's keys; the signature is verified before it is printed.") { key, message, json };
        command.SetAction((parse, ct) => RunAsync(parse, options, context => WithSessionAsync(context, ct, async (connection, stored) =>
        {
            var keyId = parse.GetRequiredValue(key);
            if (stored.Keys.FirstOrDefault(k => k.KeyId == keyId) is not { } entry)
            {
                return (context.Fail(2, $"{keyId} is not a key of this wallet (see `threshold client keys`)"), stored);
            }

            var curve = Curve.FromName(entry.Curve);
            var walletKey = new KeyInfo(entry.KeyId, curve, Point.Decode(curve, Convert.FromHexString(entry.PublicKey)));
            var started = Stopwatch.GetTimestamp();
            var confirmed = await connection.Client.GetPublicKeyAsync(keyId, ct);
            if (!confirmed.PublicKey.Equals(walletKey.PublicKey))
            {
                return (context.Fail(1, $"the nodes hold another public key for {keyId} than this wallet recorded; not signing"), stored);
            }

            var digest = ThresholdClient.Digest(curve, Encoding.UTF8.GetBytes(parse.GetRequiredValue(message)));
            var report = await connection.Client.SignDigestWithReportAsync(keyId, digest, ct);
            var signature = report.Signature;
            var verified = ThresholdClient.Verify(walletKey, digest, signature);
            var elapsed = Stopwatch.GetElapsedTime(started); // key check, signing and verification; not process start or the wallet file
            var hash = curve == Curve.P256 ? "sha-256" : "keccak-256";
            if (parse.GetValue(json))
            {
                context.Output.WriteLine(JsonSerializer.Serialize(new
                {
                    key_id = keyId,
                    curve = entry.Curve,
                    public_key = entry.PublicKey,
                    hash,
                    digest = Convert.ToHexStringLower(digest),
                    r = signature.R.ToHex(),
                    s = signature.S.ToHex(),
                    recovery_id = signature.RecoveryId,
                    signers = report.Signers,
                    verified,
                    elapsed_ms = Math.Round(elapsed.TotalMilliseconds, 1),
                }, Json));
            }
            else
            {
                context.Console.WriteLine($"key          {keyId} ({entry.Curve})");
                context.Console.WriteLine($"digest       {Convert.ToHexStringLower(digest)} ({hash} of the message)");
                context.Console.WriteLine($"r            {signature.R.ToHex()}");
                context.Console.WriteLine($"s            {signature.S.ToHex()}");
                context.Console.WriteLine($"recovery id  {signature.RecoveryId}");
                context.Console.WriteLine($"signers      {string.Join(", ", report.Signers)}");
                context.Console.WriteLine($"verified     {(verified ? "yes, against the public key in this wallet" : "NO")}");
                context.Console.WriteLine($"took         {elapsed.TotalMilliseconds:0} ms");
            }

            if (report.Excluded is { } excluded)
            {
                context.Error.WriteLine($"note: left out while the others signed: {Describe(excluded)}");
            }

            return (verified ? 0 : 1, stored);
        })));
        return command;
    }

    private static Command Logout(ClientOptions options)
    {
        var command = new Command("logout", "End the session with every node and remove its keys from the wallet file.");
        command.SetAction((parse, ct) => RunAsync(parse, options, async context =>
        {
            using var walletLock = WalletFile.Lock(context.WalletPath);
            var stored = RequireUser(context);
            using var session = stored.ToSession();
            if (session is null)
            {
                context.Console.MarkupLine("Not logged in.");
                return 0;
            }

            string outcome;
            try
            {
                await using var connection = await ConnectAsync(context, stored, ct);
                connection.Client.ResumeSession(session, MessagesPerCommand);
                stored.WithSession(session, MessagesPerCommand).Save(context.WalletPath);
                await connection.Client.LogoutAsync(ct);
                outcome = "the nodes closed the session";
            }
            catch (Exception e) when (e is ThresholdClientException or HttpRequestException or IOException or Grpc.Core.RpcException)
            {
                outcome = $"the nodes could not be told ({e.Message}); they end the session when it idles out";
            }

            stored.WithSession(null).Save(context.WalletPath);
            context.Console.MarkupLine($"Logged out: {Markup.Escape(outcome)}; the session keys are gone from {Markup.Escape(context.WalletPath)}.");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> in the wallet's stored session: resumes it with a budget of channel
    /// messages, records the counters advanced by that budget before sending anything, and stores where
    /// they really stand afterwards. A session the nodes no longer know is removed from the wallet.
    /// </summary>
    private static async Task<int> WithSessionAsync(CommandContext context, CancellationToken ct, Func<Connection, WalletFile, Task<(int ExitCode, WalletFile Wallet)>> operation)
    {
        using var walletLock = WalletFile.Lock(context.WalletPath);
        var stored = RequireUser(context);
        using var session = stored.ToSession();
        if (session is null)
        {
            return context.Fail(2, "not logged in: run `threshold client login` first");
        }

        if (session.ExpiresAt <= DateTimeOffset.UtcNow)
        {
            stored.WithSession(null).Save(context.WalletPath);
            return context.Fail(2, $"the session ended at {Format(session.ExpiresAt)}: run `threshold client login`");
        }

        await using var connection = await ConnectAsync(context, stored, ct);
        connection.Client.ResumeSession(session, MessagesPerCommand);
        stored.WithSession(session, MessagesPerCommand).Save(context.WalletPath);
        try
        {
            var (exitCode, updated) = await operation(connection, stored);
            using var now = connection.Client.ExportSession();
            updated.WithSession(now).Save(context.WalletPath);
            return exitCode;
        }
        catch (ThresholdClientException e) when (e.Kind == ClientErrorKind.NotLoggedIn)
        {
            stored.WithSession(null).Save(context.WalletPath);
            return context.Fail(1, $"the nodes no longer know this session ({e.Message}): run `threshold client login`");
        }
        catch
        {
            using var now = connection.Client.ExportSession();
            stored.WithSession(now).Save(context.WalletPath);
            throw;
        }
    }

    /// <summary>Runs a client command with its context; known failures become a message and an exit code.</summary>
    private static async Task<int> RunAsync(ParseResult parse, ClientOptions options, Func<CommandContext, Task<int>> action)
    {
        if (GlobalOptions.Apply(parse) is { } failed)
        {
            return failed;
        }

        var output = parse.InvocationConfiguration.Output;
        var context = new CommandContext(
            parse,
            options,
            parse.GetValue(options.Wallet)?.FullName ?? WalletFile.DefaultPath(),
            output,
            parse.InvocationConfiguration.Error,
            ReferenceEquals(output, Console.Out) ? AnsiConsole.Console : AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(output),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            }));
        try
        {
            return await action(context);
        }
        catch (WalletFileException e)
        {
            return context.Fail(2, e.Message);
        }
        catch (ThresholdClientException e)
        {
            return context.Fail(1, $"{e.Kind}: {e.Message}{(e.Failure is { } failure ? " (" + Describe(failure) + ")" : "")}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or Grpc.Core.RpcException or CryptographicException or FormatException)
        {
            return context.Fail(1, e.Message);
        }
    }

    private static WalletFile RequireUser(CommandContext context) =>
        WalletFile.Load(context.WalletPath) is { UserId: not null } stored
            ? stored
            : throw new WalletFileException($"no wallet at {context.WalletPath}: run `threshold client --aggregator … --cert … register` first");

    /// <summary>
    /// Reaches the aggregator (options first, else what the wallet pinned) and reads the cluster's description;
    /// with a wallet, the nodes' keys must be those it registered with.
    /// </summary>
    private static async Task<Connection> ConnectAsync(CommandContext context, WalletFile? stored, CancellationToken ct)
    {
        var address = context.Parse.GetValue(context.Options.Address) ?? stored?.Aggregator
            ?? throw new WalletFileException("give --aggregator (there is no wallet to take it from)");
        var pem = context.Parse.GetValue(context.Options.Certificate) is { } file ? await File.ReadAllTextAsync(file.FullName, ct) : stored?.AggregatorCertificate
            ?? throw new WalletFileException("give --cert (there is no wallet to take it from)");
        var uri = new Uri(address);
        var pinned = X509Certificate2.CreateFromPem(pem);
        var api = new RpcWalletApi(ThresholdChannel.Create(uri, pinned));
        try
        {
            var cluster = await api.GetClusterInfoAsync(ct);
            if (stored is not null && ClusterDigest(cluster) != stored.ClusterDigest)
            {
                throw new WalletFileException($"the aggregator at {address} describes other nodes than the cluster this wallet registered with; refusing to continue");
            }

            var client = new ThresholdClient(api, NodeRuntime.Opaque(cluster.OpaqueSuite));
            await client.ConnectAsync(ct);
            return new Connection(uri, pem, cluster, client, api);
        }
        catch
        {
            api.Dispose();
            throw;
        }
    }

    /// <summary>SHA-256 of t and every node's id and public keys (identity, agreement, OPAQUE), as the aggregator describes them.</summary>
    private static string ClusterDigest(ClusterInfo cluster)
    {
        var nodes = new ClusterInfo { Threshold = cluster.Threshold };
        nodes.Nodes.AddRange(cluster.Nodes.OrderBy(n => n.NodeId, StringComparer.Ordinal).Select(n => new NodeDescriptor { NodeId = n.NodeId, Party = n.Party, IdentityKey = n.IdentityKey, AgreementKey = n.AgreementKey, OpaqueServerKey = n.OpaqueServerKey }));
        return Convert.ToHexStringLower(SHA256.HashData(nodes.ToByteArray()));
    }

    private static string CurveName(Curve curve) => curve == Curve.P256 ? "p256" : "secp256k1";

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy'-'MM'-'dd' 'HH':'mm':'ss' UTC'", CultureInfo.InvariantCulture);

    private static string Describe(OperationFailure failure) =>
        string.Join("; ", failure.Culprits.Select(c => $"{c.NodeId} failed {c.Check}").Concat(failure.UnresponsiveNodes.Select(n => $"{n} unresponsive")).Concat(failure.RefusingNodes.Select(n => $"{n} refused")).DefaultIfEmpty(failure.Reason));

    /// <summary>The options every client subcommand reads.</summary>
    private sealed record ClientOptions(Option<string?> Address, Option<FileInfo?> Certificate, Option<FileInfo?> Wallet);

    /// <summary>One command's invocation: where it writes and which wallet it uses.</summary>
    private sealed record CommandContext(ParseResult Parse, ClientOptions Options, string WalletPath, TextWriter Output, TextWriter Error, IAnsiConsole Console)
    {
        public int Fail(int exitCode, string message)
        {
            Error.WriteLine($"error: {message}");
            return exitCode;
        }
    }

    /// <summary>A connected wallet client and what it was connected with.</summary>
    private sealed class Connection(Uri address, string certificatePem, ClusterInfo cluster, ThresholdClient client, RpcWalletApi api) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public string CertificatePem { get; } = certificatePem;

        public ClusterInfo Cluster { get; } = cluster;

        public ThresholdClient Client { get; } = client;

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            api.Dispose();
        }
    }
}
