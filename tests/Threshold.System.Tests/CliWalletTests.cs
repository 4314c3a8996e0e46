using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Threshold.Cli;
using Threshold.Cli.Wallet;
using Threshold.Paillier;
using Threshold.Server.Hosting;
using Threshold.Testing;

namespace Threshold.System.Tests;

/// <summary>
/// The `threshold client` wallet, run in process against node and aggregator runtimes started from
/// `cluster init` files: register → login → keygen → keys → sign (checked with .NET's ECDsa) → logout,
/// with the password from a file, and the wallet file's mode, lock and refusals checked on the way.
/// </summary>
[Trait("Category", "Slow")]
public sealed class CliWalletTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    [global::System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are the point
    public async Task AWalletRegistersLogsInGeneratesSignsAndLogsOutFromTheCommandLine()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = Directory.CreateTempSubdirectory("threshold-cli-");
        try
        {
            var clusterDirectory = Path.Combine(root.FullName, "cluster");
            await ClusterInit.CreateAsync(clusterDirectory, 3, 2, RestartTests.FreeBasePort(3), SecurityLevel.Bits2048, primes: TestPrimes.Pool(), cancellationToken: ct);
            ClusterDirectory.AllowSlowMachines(clusterDirectory);
            await using var cluster = await RestartTests.Running.StartAsync(clusterDirectory, ct);
            var wallet = Path.Combine(root.FullName, "home", "wallet.json");
            var passwordFile = Path.Combine(root.FullName, "password.txt");
            await File.WriteAllTextAsync(passwordFile, "correct horse battery staple\n", ct);
            string[] connection = ["client", "--aggregator", cluster.Aggregator.Address.ToString(), "--cert", Path.Combine(clusterDirectory, "aggregator.pem"), "--wallet", wallet];

            var register = await RunAsync([.. connection, "register", "--password-file", passwordFile], ct);
            Assert.True(register.ExitCode == 0, register.Error);
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(wallet));
            var userId = WalletFile.Load(wallet)!.UserId;
            Assert.Contains(userId!, register.Output, StringComparison.Ordinal);
            Assert.Null(WalletFile.Load(wallet)!.Session);

            var again = await RunAsync([.. connection, "register", "--password-file", passwordFile], ct);
            Assert.Equal(2, again.ExitCode); // one user per wallet: no second, forgotten user
            Assert.Contains("already holds user", again.Error, StringComparison.Ordinal);

            // From here on the wallet knows the aggregator and its pinned certificate.
            string[] client = ["client", "--wallet", wallet];
            var login = await RunAsync([.. client, "login", "--password-file", passwordFile], ct);
            Assert.True(login.ExitCode == 0, login.Error);
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(wallet));
            var session = WalletFile.Load(wallet)!.Session!;
            Assert.Equal(["node-1", "node-2", "node-3"], session.Nodes.Select(n => n.NodeId));
            Assert.All(session.Nodes, n => Assert.Equal(64, Convert.FromBase64String(n.SessionKey).Length));

            var keygen = await RunAsync([.. client, "keygen", "--curve", "secp256k1", "--json"], ct);
            Assert.True(keygen.ExitCode == 0, keygen.Error);
            var keyId = Json(keygen.Output).GetProperty("key_id").GetString()!;
            var publicKey = Convert.FromHexString(Json(keygen.Output).GetProperty("public_key").GetString()!);

            var keys = await RunAsync([.. client, "keys", "--json"], ct);
            Assert.Equal(0, keys.ExitCode);
            Assert.Equal([keyId], Json(keys.Output).GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("key_id").GetString()));

            for (var i = 0; i < 2; i++)
            {
                var message = $"hello from the command line {i}";
                var sign = await RunAsync([.. client, "sign", "--key", keyId, "--message", message, "--json"], ct);
                Assert.True(sign.ExitCode == 0, sign.Error);
                var signed = Json(sign.Output);
                var digest = Convert.FromHexString(signed.GetProperty("digest").GetString()!);
                Assert.Equal(Threshold.Client.ThresholdClient.Digest(Threshold.Curves.Curve.Secp256k1, global::System.Text.Encoding.UTF8.GetBytes(message)), digest);
                var signature = Convert.FromHexString(signed.GetProperty("r").GetString()! + signed.GetProperty("s").GetString()!);
                Assert.True(VerifyWithDotNet(publicKey, digest, signature), $"signature {i}");
            }

            // The channel counters moved on in the file, past every message sent.
            Assert.All(WalletFile.Load(wallet)!.Session!.Nodes, n => Assert.True(n.Sent >= 6 && n.Received >= 4, n.ToString()));

            // A wallet file others may read is refused, not used.
            File.SetUnixFileMode(wallet, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var tooOpen = await RunAsync([.. client, "sign", "--key", keyId, "--message", "refused", "--json"], ct);
            Assert.Equal(2, tooOpen.ExitCode);
            Assert.Contains("may be read or changed by others (mode 0644)", tooOpen.Error, StringComparison.Ordinal);
            Assert.Equal("", tooOpen.Output);
            File.SetUnixFileMode(wallet, OwnerReadWrite);

            // Two commands on one wallet never run at once (they would seal under one counter).
            using (WalletFile.Lock(wallet))
            {
                var busy = await RunAsync([.. client, "sign", "--key", keyId, "--message", "busy"], ct);
                Assert.Equal(2, busy.ExitCode);
                Assert.Contains("in use by another threshold command", busy.Error, StringComparison.Ordinal);
            }

            var logout = await RunAsync([.. client, "logout"], ct);
            Assert.True(logout.ExitCode == 0, logout.Error);
            Assert.Contains("the nodes closed the session", logout.Output, StringComparison.Ordinal);
            var loggedOut = WalletFile.Load(wallet)!;
            Assert.Null(loggedOut.Session);
            Assert.Equal([keyId], loggedOut.Keys.Select(k => k.KeyId)); // the keys stay listed
            Assert.DoesNotContain("sessionKey", await File.ReadAllTextAsync(wallet, ct), StringComparison.Ordinal);

            var afterLogout = await RunAsync([.. client, "sign", "--key", keyId, "--message", "logged out"], ct);
            Assert.Equal(2, afterLogout.ExitCode);
            Assert.Contains("not logged in", afterLogout.Error, StringComparison.Ordinal);

            await cluster.Aggregator.Aggregator.DrainAsync();
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WithoutATerminalThePasswordMustComeFromAFileOrTheEnvironment()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = Directory.CreateTempSubdirectory("threshold-cli-");
        try
        {
            var wallet = Path.Combine(root.FullName, "wallet.json");
            var missing = await RunAsync(["client", "--aggregator", "https://127.0.0.1:9", "--cert", Path.Combine(root.FullName, "none.pem"), "--wallet", wallet, "register"], ct);
            if (Environment.GetEnvironmentVariable(Passwords.EnvironmentVariable) is null)
            {
                Assert.Equal(2, missing.ExitCode);
                Assert.Contains("--password-file", missing.Error, StringComparison.Ordinal);
            }

            Assert.False(File.Exists(wallet));

            var noWallet = await RunAsync(["client", "--wallet", wallet, "login", "--password-file", Path.Combine(root.FullName, "none.txt")], ct);
            Assert.Equal(2, noWallet.ExitCode);
            Assert.Contains("register", noWallet.Error, StringComparison.Ordinal);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    /// <summary>Runs `threshold …` in this process and returns what it printed.</summary>
    internal static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, CancellationToken ct)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await Program.Commands().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, ct);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static bool VerifyWithDotNet(byte[] compressedPublicKey, byte[] digest, byte[] rs)
    {
        var point = Threshold.Curves.Point.Decode(Threshold.Curves.Curve.Secp256k1, compressedPublicKey).Encode(compressed: false);
        using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.CreateFromFriendlyName("secP256k1"), Q = new ECPoint { X = point[1..33], Y = point[33..] } });
        return key.VerifyHash(digest, rs, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
