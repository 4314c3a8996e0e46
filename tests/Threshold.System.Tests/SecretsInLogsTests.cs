using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Node.Storage;
using Threshold.Server;
using Threshold.Storage;
using Threshold.Storage.Sealing;
using Curve = Threshold.Curves.Curve;

namespace Threshold.System.Tests;

/// <summary>
/// Issue #18, "Also": a demo run (register, log in, generate a key, sign) over loopback TLS with every
/// log at Debug and every node's vault in sealed SQLite; none of the secrets it used may appear in a log
/// line or in any file it wrote, in hex, base64, decimal or raw form.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SecretsInLogsTests
{
    [Fact]
    public async Task NoSecretOfADemoRunAppearsInItsLogsOrFiles()
    {
        var ct = TestContext.Current.CancellationToken;
        var directory = Directory.CreateTempSubdirectory("threshold-secrets-");
        var logs = new LogLines();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var vaults = new ConcurrentBag<RecordingVault>();
        var stores = new ConcurrentBag<IKeyStore>();
        var secrets = new List<byte[]>();
        try
        {
            await using (var cluster = await EmbeddedCluster.StartAsync(
                InProcessCluster.Options(3, 2) with
                {
                    OverLoopbackTls = true,
                    LoggerFactory = loggerFactory,
                    Vaults = node =>
                    {
                        var store = SqliteKeyStore.OpenAsync(Path.Combine(directory.FullName, node + ".db"), new AesGcmRecordSealer(StorageKey.Generate()), cancellationToken: ct).GetAwaiter().GetResult();
                        stores.Add(store);
                        var vault = new RecordingVault(new StoredNodeVault(store));
                        vaults.Add(vault);
                        return vault;
                    },
                },
                ct))
            {
                await using var client = new Threshold.Client.ThresholdClient(cluster.WalletApi, cluster.Opaque);
                await client.ConnectAsync(ct);
                var password = "correct horse battery staple"u8.ToArray();
                var user = await client.RegisterAsync(password, ct);
                await client.LoginAsync(user, password, cancellationToken: ct);
                var key = await client.GenerateKeyAsync(Curve.Secp256k1, ct);
                await client.SignDigestAsync(key.KeyId, SHA256.HashData("secrets stay secret"u8), ct);
                await cluster.Aggregator.DrainAsync();

                // The OPAQUE AKE private key and OPRF seed of every node (the public key in between is not secret).
                foreach (var setup in cluster.OpaqueSetups)
                {
                    var exported = setup.Export();
                    var (scalar, element, hash) = (cluster.Opaque.Suite.Group.ScalarLength, cluster.Opaque.Suite.Group.ElementLength, cluster.Opaque.Suite.HashLength);
                    secrets.Add(exported[..scalar]);
                    secrets.Add(exported[(scalar + element)..(scalar + element + hash)]);
                }
            }

            secrets.AddRange(vaults.SelectMany(v => v.Secrets));
            Assert.Contains(vaults, v => v.Secrets.Count > 0);
            Assert.NotEmpty(logs.Lines);
            var forms = secrets.SelectMany(Forms).ToList();
            foreach (var line in logs.Lines)
            {
                Assert.DoesNotContain(forms, form => line.Contains(form.Text, StringComparison.OrdinalIgnoreCase));
            }

            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            stores.Clear();
            foreach (var file in Directory.GetFiles(directory.FullName, "*", SearchOption.AllDirectories))
            {
                var bytes = await File.ReadAllBytesAsync(file, ct);
                var text = Encoding.Latin1.GetString(bytes);
                Assert.DoesNotContain(secrets, secret => bytes.AsSpan().IndexOf(secret) >= 0);
                Assert.DoesNotContain(forms, form => text.Contains(form.Text, StringComparison.OrdinalIgnoreCase));
            }
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }

            directory.Delete(recursive: true);
        }
    }

    private sealed record Form(string Text);

    // The printable forms a secret could leak in: hex, base64 (both alphabets), and decimal as a big integer.
    private static IEnumerable<Form> Forms(byte[] secret)
    {
        yield return new(Convert.ToHexString(secret));
        yield return new(Convert.ToBase64String(secret).TrimEnd('='));
        yield return new(Convert.ToBase64String(secret).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        yield return new(new BigInteger(secret, isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Every log line, rendered with its exception, from every logger.</summary>
    private sealed class LogLines : ILoggerProvider, ILogger
    {
        private readonly ConcurrentQueue<string> lines = new();

        public IReadOnlyList<string> Lines => [.. lines];

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{formatter(state, exception)} {state} {exception}");

        public void Dispose()
        {
        }
    }

    /// <summary>Passes everything to the node's vault and keeps the secrets it was given: key shares, Paillier primes, nonce shares.</summary>
    private sealed class RecordingVault(INodeVault inner) : INodeVault
    {
        private readonly ConcurrentQueue<byte[]> secrets = new();

        public IReadOnlyList<byte[]> Secrets => [.. secrets];

        public Task SaveKeyAsync(KeyRecord record, KeyShare share, CancellationToken cancellationToken)
        {
            secrets.Enqueue(share.Share.Value.Encode());
            return inner.SaveKeyAsync(record, share, cancellationToken);
        }

        public Task SaveAuxInfoAsync(string keyId, AuxInfo aux, CancellationToken cancellationToken)
        {
            secrets.Enqueue(aux.PaillierKey.P.ToByteArray(isUnsigned: true, isBigEndian: true));
            secrets.Enqueue(aux.PaillierKey.Q.ToByteArray(isUnsigned: true, isBigEndian: true));
            return inner.SaveAuxInfoAsync(keyId, aux, cancellationToken);
        }

        public Task AddPresignatureAsync(string keyId, Presignature presignature, CancellationToken cancellationToken)
        {
            var (k, chi) = presignature.Secrets();
            secrets.Enqueue(k.Encode());
            secrets.Enqueue(chi.Encode());
            return inner.AddPresignatureAsync(keyId, presignature, cancellationToken);
        }

        public Task<KeyRecord?> FindKeyAsync(string keyId, CancellationToken cancellationToken) => inner.FindKeyAsync(keyId, cancellationToken);

        public Task<(KeyRecord Record, KeyShare Share, AuxInfo? Aux)?> LoadKeyAsync(string keyId, CancellationToken cancellationToken) => inner.LoadKeyAsync(keyId, cancellationToken);

        public Task<Presignature?> TakePresignatureAsync(string keyId, byte[] presignatureId, CancellationToken cancellationToken) => inner.TakePresignatureAsync(keyId, presignatureId, cancellationToken);

        public Task<int> CountPresignaturesAsync(string keyId, CancellationToken cancellationToken) => inner.CountPresignaturesAsync(keyId, cancellationToken);

        public Task AuditAsync(string owner, string kind, string outcome, string detail, CancellationToken cancellationToken) => inner.AuditAsync(owner, kind, outcome, detail, cancellationToken);

        public Task<bool> ClaimSessionAsync(byte[] sessionId, DateTimeOffset until, CancellationToken cancellationToken) => inner.ClaimSessionAsync(sessionId, until, cancellationToken);

        public Task<int> ForgetSessionsAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.ForgetSessionsAsync(now, cancellationToken);
    }
}
