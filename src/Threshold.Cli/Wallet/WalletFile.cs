using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Threshold.Client;

namespace Threshold.Cli.Wallet;

/// <summary>A key this wallet generated, as kept in the wallet file (all public).</summary>
internal sealed record WalletKey(string KeyId, string Curve, string PublicKey, DateTimeOffset CreatedAt);

/// <summary>One node's part of the session in the wallet file; <see cref="SessionKey"/> is the secret.</summary>
internal sealed record WalletNodeSession(string NodeId, string SessionId, string SessionKey, ulong Sent, ulong Received, DateTimeOffset ExpiresAt);

/// <summary>The logged-in session in the wallet file.</summary>
internal sealed record WalletSessionEntry(IReadOnlyList<WalletNodeSession> Nodes);

/// <summary>
/// What <c>threshold client</c> keeps between commands, one JSON file per wallet (default
/// <c>~/.threshold/wallet.json</c>):
/// <list type="bullet">
/// <item>the aggregator's address and its TLS certificate (pinned at registration), and a digest of the
/// cluster's node keys as the aggregator described them then (a later description must match);</item>
/// <item>the user id and the keys this wallet generated (id, curve, public key): public;</item>
/// <item>while logged in, per node the session id, the OPAQUE session key and the channel counters. The
/// session key is what the channel's AES-GCM keys derive from: whoever reads it can sign as the user
/// until the session ends (logout, expiry). So the file is created with mode 0600 and refused when the
/// group or others may access it, like the node's storage key and the prime pool.</item>
/// </list>
/// The password is never stored. Every command holds an exclusive lock (<c>wallet.json.lock</c>) from
/// reading the file to writing it back, so two commands never seal under the same channel counter.
/// </summary>
internal sealed record WalletFile(
    string Format,
    string Aggregator,
    string AggregatorCertificate,
    string ClusterDigest,
    string OpaqueSuite,
    string? UserId,
    IReadOnlyList<WalletKey> Keys,
    WalletSessionEntry? Session)
{
    public const string CurrentFormat = "threshold-wallet/1";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The wallet path: <c>--wallet</c>, else <c>THRESHOLD_WALLET</c>, else <c>~/.threshold/wallet.json</c>.</summary>
    public static string DefaultPath() =>
        Environment.GetEnvironmentVariable("THRESHOLD_WALLET") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".threshold", "wallet.json");

    /// <summary>Reads the wallet at <paramref name="path"/>, or null if there is none.</summary>
    /// <exception cref="WalletFileException">The file is open to group or others, or is not a wallet.</exception>
    public static WalletFile? Load(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        using (stream)
        {
            // Checked on the open handle, so the file read is the file checked.
            if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(stream.SafeFileHandle) is var mode && (mode & GroupOrOthers) != 0)
            {
                throw new WalletFileException($"{path} may be read or changed by others (mode {Octal(mode)}); it holds session keys. Refusing to use it: run `chmod 600 {path}` if it is yours, and log in again if others could have read it");
            }

            try
            {
                var wallet = JsonSerializer.Deserialize<WalletFile>(stream, Json);
                return wallet is { Format: CurrentFormat } ? wallet : throw new WalletFileException($"{path} is not a {CurrentFormat} wallet");
            }
            catch (JsonException e)
            {
                throw new WalletFileException($"{path} is not a wallet file: {e.Message}");
            }
        }
    }

    /// <summary>Writes the wallet to <paramref name="path"/> atomically, mode 0600 (its directory 0700 if created).</summary>
    public void Save(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var bytes = JsonSerializer.SerializeToUtf8Bytes(this, Json);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// Takes the wallet's lock (<c>&lt;path&gt;.lock</c>, exclusive) for one command; another command on the
    /// same wallet meanwhile is refused rather than left to reuse a channel counter.
    /// </summary>
    public static IDisposable Lock(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            return new FileStream(full + ".lock", options);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new WalletFileException($"{path} is in use by another threshold command; try again when it has finished");
        }
    }

    /// <summary>The session as the SDK resumes it (the caller disposes it, wiping the keys).</summary>
    public WalletSession? ToSession() => UserId is null || Session is null
        ? null
        : new WalletSession(UserId, [.. Session.Nodes.Select(n => new NodeSessionState(n.NodeId, Convert.FromBase64String(n.SessionId), Convert.FromBase64String(n.SessionKey), n.Sent, n.Received, n.ExpiresAt))]);

    /// <summary>This wallet with <paramref name="session"/> stored, every send counter advanced by <paramref name="reserve"/>.</summary>
    public WalletFile WithSession(WalletSession? session, ulong reserve = 0) => this with
    {
        Session = session is null ? null : new WalletSessionEntry([.. session.Nodes.Select(n => new WalletNodeSession(
            n.NodeId, Convert.ToBase64String(n.SessionId), Convert.ToBase64String(n.SessionKey), n.Sent > ulong.MaxValue - reserve ? ulong.MaxValue : n.Sent + reserve, n.Received, n.ExpiresAt))]),
    };

    /// <summary>Names what the wallet holds, no secret.</summary>
    public override string ToString() => $"WalletFile({UserId ?? "no user"}, {Keys.Count} keys, {(Session is null ? "logged out" : "logged in")})";

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');
}

/// <summary>The wallet file cannot be used as it is.</summary>
internal sealed class WalletFileException(string message) : Exception(message);
