using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Etcdserverpb;
using Threshold.Storage.Consensus.Etcd;

namespace Threshold.Storage.Tests.Support;

/// <summary>
/// A throwaway three-member etcd cluster for the tests: members on 127.0.0.1 with free ports, mutual TLS
/// with certificates made here (a CA, one server certificate per member, client certificates for
/// <c>root</c> and <c>node-0</c> … <c>node-4</c>), data in a temporary directory deleted afterwards.
/// Members can be killed and started again. When <c>etcd</c> is not on PATH the cluster is not started and
/// the tests that need it report themselves skipped.
/// </summary>
public sealed class EtcdCluster : IAsyncLifetime
{
    /// <summary>The nodes that have client certificates and identity keys.</summary>
    public static readonly string[] NodeIds = ["node-0", "node-1", "node-2", "node-3", "node-4"];

    private const int Members = 3;
    private readonly Process?[] processes = new Process?[Members];
    private readonly int[] clientPorts = new int[Members];
    private readonly int[] peerPorts = new int[Members];
    private readonly Dictionary<string, X509Certificate2> clients = new(StringComparer.Ordinal);
    private string? etcd;
    private string? directory;
    private X509Certificate2? ca;

    /// <summary>Why the cluster is not running (null when it is).</summary>
    public string? Unavailable { get; private set; }

    /// <summary>Each node's identity key.</summary>
    public Dictionary<string, ECDsa> Identities { get; } = NodeIds.ToDictionary(n => n, _ => ECDsa.Create(ECCurve.NamedCurves.nistP256), StringComparer.Ordinal);

    /// <summary>Every member's client URL.</summary>
    public IReadOnlyList<string> Endpoints => [.. clientPorts.Select(p => $"https://127.0.0.1:{p}")];

    public async ValueTask InitializeAsync()
    {
        etcd = Find("etcd");
        if (etcd is null)
        {
            Unavailable = "etcd is not on PATH (Debian: apt-get install -y etcd-server etcd-client)";
            return;
        }

        directory = Directory.CreateTempSubdirectory("threshold-etcd-").FullName;
        MakeCertificates();
        // A port found free may be taken by another test's host before etcd binds it; then every member
        // exits at start. Start again on fresh ports and data (at most three times).
        for (var attempt = 1; ; attempt++)
        {
            for (var i = 0; i < Members; i++)
            {
                clientPorts[i] = FreePort();
                peerPorts[i] = FreePort();
            }

            for (var i = 0; i < Members; i++)
            {
                Start(i);
            }

            try
            {
                await WaitHealthyAsync(TimeSpan.FromSeconds(60));
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                for (var i = 0; i < Members; i++)
                {
                    await KillAsync(i);
                    if (Directory.Exists(Path.Combine(directory, $"m{i}")))
                    {
                        Directory.Delete(Path.Combine(directory, $"m{i}"), recursive: true);
                    }
                }
            }
        }

        using var access = new EtcdAccess(Options("root"));
        await access.SetUpAsync(NodeIds, TestContext.Current.CancellationToken);
    }

    /// <summary>Skips the calling test when etcd is not available.</summary>
    public void SkipUnlessRunning()
    {
        if (Unavailable is not null)
        {
            Assert.Skip(Unavailable);
        }
    }

    /// <summary>Connection options presenting <paramref name="user"/>'s certificate, under <paramref name="prefix"/>.</summary>
    public EtcdConnectionOptions Options(string user, string prefix = "/threshold/v1/", IReadOnlyList<string>? endpoints = null, TimeSpan? callTimeout = null) => new()
    {
        Endpoints = endpoints ?? Endpoints,
        ClientCertificate = clients[user],
        TrustedCa = ca!,
        Prefix = prefix,
        CallTimeout = callTimeout ?? TimeSpan.FromSeconds(10),
    };

    /// <summary>PEM files of <paramref name="user"/>'s client certificate and key, and of the CA (for node configurations).</summary>
    public (string Certificate, string Key, string Ca) PemFiles(string user) =>
        (Path.Combine(directory!, $"{user}.crt"), Path.Combine(directory!, $"{user}.key"), Path.Combine(directory!, "ca.crt"));

    /// <summary>A store for <paramref name="node"/> under <paramref name="prefix"/>.</summary>
    public EtcdConsensusStore Store(string node, string prefix, TimeProvider? clock = null, IReadOnlyList<string>? endpoints = null, TimeSpan? callTimeout = null) =>
        EtcdConsensusStore.Connect(Options(node, prefix, endpoints, callTimeout), node, Identities[node], Identities, clock);

    /// <summary>A raw client presenting <paramref name="user"/>'s certificate.</summary>
    public EtcdClient RawClient(string user) =>
        new(string.Join(",", Endpoints), ssl =>
        {
            ssl.ClientCertificates = [clients[user]];
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true; // a test client talking to its own members
        });

    /// <summary>Whether member <paramref name="member"/> runs.</summary>
    public bool IsRunning(int member) => processes[member] is { HasExited: false };

    /// <summary>The member that is the Raft leader now (by asking the running members).</summary>
    public async Task<int> LeaderAsync(CancellationToken cancellationToken)
    {
        var ids = new ulong[Members];
        ulong leader = 0;
        for (var i = 0; i < Members; i++)
        {
            if (!IsRunning(i))
            {
                continue;
            }

            using var member = MemberClient(i);
            var status = await member.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
            ids[i] = status.Header.MemberId;
            leader = status.Leader;
        }

        var index = Array.IndexOf(ids, leader);
        return index >= 0 ? index : throw new InvalidOperationException("no running member is the leader");
    }

    /// <summary>Kills member <paramref name="member"/> (SIGKILL, no clean shutdown) and waits for it to exit.</summary>
    public async Task KillAsync(int member)
    {
        if (processes[member] is { } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30));
            process.Dispose();
            processes[member] = null;
        }
    }

    /// <summary>Starts every stopped member on its old data and waits until the cluster is healthy again.</summary>
    public async Task RestartStoppedAsync()
    {
        for (var i = 0; i < Members; i++)
        {
            if (!IsRunning(i))
            {
                processes[i]?.Dispose();
                Start(i);
            }
        }

        await WaitHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = 0; i < Members; i++)
        {
            if (processes[i] is not null)
            {
                await KillAsync(i);
            }
        }

        foreach (var certificate in clients.Values)
        {
            certificate.Dispose();
        }

        ca?.Dispose();
        foreach (var key in Identities.Values)
        {
            key.Dispose();
        }

        if (directory is not null && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private EtcdClient MemberClient(int member) =>
        new($"https://127.0.0.1:{clientPorts[member]}", ssl =>
        {
            ssl.ClientCertificates = [clients["root"]];
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        });

    /// <summary>Polls every running member until all report the same leader, or fails at the deadline.</summary>
    private async Task WaitHealthyAsync(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var leaders = new HashSet<ulong>();
                for (var i = 0; i < Members; i++)
                {
                    if (IsRunning(i))
                    {
                        using var member = MemberClient(i);
                        leaders.Add((await member.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2))).Leader);
                    }
                }

                if (leaders.Count == 1 && !leaders.Contains(0UL))
                {
                    return;
                }

                if (!Enumerable.Range(0, Members).Any(IsRunning))
                {
                    throw new TimeoutException($"every etcd member exited; logs in {directory}");
                }

                last = $"leaders seen: {string.Join(",", leaders)}";
            }
            catch (Grpc.Core.RpcException e)
            {
                last = e.Status.Detail;
            }
            catch (Exception e) when (e is OperationCanceledException or AggregateException or HttpRequestException && !TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                last = e.Message; // a member still starting: its client gives up on the connection before the call's deadline
            }

            // Poll again at once after a short wait on the members' own progress (bounded by the deadline).
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"etcd did not become healthy within {within.TotalSeconds} s ({last}); logs in {directory}");
    }

    private void Start(int member)
    {
        string Pem(string name) => Path.Combine(directory!, name);
        var cluster = string.Join(",", Enumerable.Range(0, Members).Select(i => $"m{i}=https://127.0.0.1:{peerPorts[i]}"));
        var info = new ProcessStartInfo(etcd!)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--name", $"m{member}", "--data-dir", Path.Combine(directory!, $"m{member}"),
            "--listen-client-urls", $"https://127.0.0.1:{clientPorts[member]}", "--advertise-client-urls", $"https://127.0.0.1:{clientPorts[member]}",
            "--listen-peer-urls", $"https://127.0.0.1:{peerPorts[member]}", "--initial-advertise-peer-urls", $"https://127.0.0.1:{peerPorts[member]}",
            "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", "threshold-test",
            "--cert-file", Pem($"m{member}.crt"), "--key-file", Pem($"m{member}.key"), "--client-cert-auth", "--trusted-ca-file", Pem("ca.crt"),
            "--peer-cert-file", Pem($"m{member}.crt"), "--peer-key-file", Pem($"m{member}.key"), "--peer-client-cert-auth", "--peer-trusted-ca-file", Pem("ca.crt"),
            "--heartbeat-interval", "50", "--election-timeout", "500", "--logger", "zap", "--log-outputs", Pem($"m{member}.log"),
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("etcd did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        processes[member] = process;
    }

    private void MakeCertificates()
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=threshold-test-etcd-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        ca = caRequest.CreateSelfSigned(now, now.AddDays(1));
        File.WriteAllText(Path.Combine(directory!, "ca.crt"), ca.ExportCertificatePem());

        var serial = 1;
        X509Certificate2 Issue(string cn, bool server, out ECDsa key)
        {
            key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
            var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") }; // client authentication
            if (server)
            {
                usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
                var names = new SubjectAlternativeNameBuilder();
                names.AddIpAddress(IPAddress.Loopback);
                names.AddDnsName("localhost");
                request.CertificateExtensions.Add(names.Build());
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
            using var issued = request.Create(ca, now, now.AddDays(1), BitConverter.GetBytes(++serial));
            return issued.CopyWithPrivateKey(key);
        }

        for (var i = 0; i < Members; i++)
        {
            using var member = Issue($"m{i}", server: true, out var key);
            File.WriteAllText(Path.Combine(directory!, $"m{i}.crt"), member.ExportCertificatePem());
            File.WriteAllText(Path.Combine(directory!, $"m{i}.key"), key.ExportPkcs8PrivateKeyPem());
            key.Dispose();
        }

        foreach (var user in NodeIds.Prepend("root"))
        {
            using var issued = Issue(user, server: false, out var key);
            File.WriteAllText(Path.Combine(directory!, $"{user}.crt"), issued.ExportCertificatePem());
            File.WriteAllText(Path.Combine(directory!, $"{user}.key"), key.ExportPkcs8PrivateKeyPem());

            // Through PKCS#12 so that the TLS stack gets a certificate whose key it can use on every platform.
            clients[user] = X509CertificateLoader.LoadPkcs12(issued.Export(X509ContentType.Pkcs12), null);
            key.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, program))
            .FirstOrDefault(File.Exists);
}
