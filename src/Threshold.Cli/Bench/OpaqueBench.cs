using System.Diagnostics;
using System.Security.Cryptography;
using Threshold.Opaque;
using Threshold.Opaque.Client;
using Threshold.Opaque.Cluster;
using Threshold.Opaque.Ksf;
using Threshold.Opaque.Server;

namespace Threshold.Cli.Bench;

/// <summary>
/// The password-login suite behind <c>threshold bench opaque</c>: the client's and the node's cost of one
/// OPAQUE login (RFC 9807) per suite and key stretching function, a registration, and a multi-server
/// login with 3 of 5 nodes. Client and server parts of each run are timed separately.
/// Names: <c>opaque.&lt;login|register&gt;.&lt;client|server&gt;.&lt;suite&gt;.&lt;ksf&gt;[.3of5]</c>.
/// </summary>
internal static class OpaqueBench
{
    private static readonly byte[] Password = "correct horse battery staple"u8.ToArray();

    /// <summary>The KSFs measured: the RFC 9807 profiles and the lighter interactive Argon2id.</summary>
    public static IReadOnlyList<(string Name, IKeyStretchingFunction Ksf, bool Heavy)> Ksfs { get; } =
    [
        ("identity", IdentityKsf.Instance, false),
        ("argon2id-interactive", new Argon2idKsf(Argon2idProfile.Interactive), false),
        ("scrypt", new ScryptKsf(ScryptProfile.Rfc9807), false),
        ("argon2id", new Argon2idKsf(Argon2idProfile.Rfc9807), true),
    ];

    public static IEnumerable<BenchResult> Run(bool includeHeavy, Action<string> status)
    {
        // Warm-up: let the JIT reach its optimised tier and libsodium map its memory before anything is timed.
        status("warming up");
        var warmUp = Stopwatch.StartNew();
        foreach (var suite in OpaqueSuite.All)
        {
            using var cluster = new BenchCluster(new OpaqueConfiguration(suite, new Argon2idKsf(Argon2idProfile.Interactive), OpaqueConfiguration.DefaultContext), 3, 2);
            cluster.MeasureLogins(3, 10, 1_000);
            using var fast = new BenchCluster(new OpaqueConfiguration(suite, IdentityKsf.Instance, OpaqueConfiguration.DefaultContext), 3, 2);
            while (warmUp.Elapsed.TotalSeconds < (suite == OpaqueSuite.P256Sha256 ? 6 : 3))
            {
                fast.MeasureLogins(3, 20, 500);
                fast.MeasureRegistrations(5, 200);
            }
        }

        foreach (var suite in OpaqueSuite.All)
        {
            foreach (var (ksfName, ksf, heavy) in Ksfs)
            {
                if (heavy && !includeHeavy)
                {
                    continue;
                }

                var configuration = new OpaqueConfiguration(suite, ksf, OpaqueConfiguration.DefaultContext);
                var runs = heavy ? 5 : ksf is IdentityKsf ? 100 : 15;
                var budget = heavy ? 30_000 : 4_000;

                status($"{suite.ShortName} {ksfName}: registration");
                using (var one = new BenchCluster(configuration, 1, 1))
                {
                    var (registerClient, registerServer) = one.MeasureRegistrations(Math.Min(runs, 20), budget);
                    yield return Result($"opaque.register.client.{suite.ShortName}.{ksfName}", registerClient);
                    yield return Result($"opaque.register.server.{suite.ShortName}.{ksfName}", registerServer);

                    status($"{suite.ShortName} {ksfName}: login");
                    var (client, server) = one.MeasureLogins(1, runs, budget);
                    yield return Result($"opaque.login.client.{suite.ShortName}.{ksfName}", client);
                    yield return Result($"opaque.login.server.{suite.ShortName}.{ksfName}", server);
                }

                if (!heavy && ksf is not ScryptKsf)
                {
                    status($"{suite.ShortName} {ksfName}: login with 3 of 5 nodes");
                    using var five = new BenchCluster(configuration, 5, 3);
                    var (client, server) = five.MeasureLogins(3, Math.Min(runs, 20), budget);
                    yield return Result($"opaque.login.client.{suite.ShortName}.{ksfName}.3of5", client);
                    yield return Result($"opaque.login.server.{suite.ShortName}.{ksfName}.3of5", server);
                }
            }
        }
    }

    private static BenchResult Result(string name, List<double> samples) => new(name, Measurement.MedianOf(samples), samples.Count);

    /// <summary>n in-memory nodes and a client: the same objects a deployment wires to its RPC layer.</summary>
    private sealed class BenchCluster : IDisposable
    {
        private readonly List<ServerSetup> setups = [];
        private readonly List<InMemoryRegistrationRecordStore> stores = [];
        private readonly Dictionary<string, OpaqueNode> nodes = new(StringComparer.Ordinal);
        private readonly MultiServerClient client;
        private readonly RandomNumberGenerator rng = RandomNumberGenerator.Create();

        public BenchCluster(OpaqueConfiguration configuration, int count, int threshold)
        {
            for (var i = 1; i <= count; i++)
            {
                var setup = ServerSetup.Generate(configuration.Suite, rng);
                var store = new InMemoryRegistrationRecordStore();
                setups.Add(setup);
                stores.Add(store);
                nodes[$"node-{i}"] = new OpaqueNode($"node-{i}", configuration, setup, store, rng);
            }

            client = new MultiServerClient(
                configuration, new ClusterDescriptor(nodes.Values.Select(n => new NodeDescriptor(n.NodeId, n.PublicKey)), threshold), rng);
        }

        public (List<double> Client, List<double> Server) MeasureRegistrations(int maxRuns, double budgetMs)
        {
            var clientTimes = new List<double>();
            var serverTimes = new List<double>();
            Repeat(maxRuns, budgetMs, record =>
            {
                var user = UserId.New(rng);
                var clientWatch = Stopwatch.StartNew();
                using var registration = client.StartRegistration(user, Password);
                clientWatch.Stop();

                var serverWatch = Stopwatch.StartNew();
                var pending = new Dictionary<string, PendingRegistration>(StringComparer.Ordinal);
                var responses = registration.Requests.Select(r =>
                {
                    var (response, state) = nodes[r.NodeId].StartRegistration(r);
                    pending[r.NodeId] = state;
                    return response;
                }).ToList();
                serverWatch.Stop();

                clientWatch.Start();
                using var result = registration.Finish(responses);
                clientWatch.Stop();

                serverWatch.Start();
                foreach (var upload in result.Uploads)
                {
                    nodes[upload.NodeId].FinishRegistration(pending[upload.NodeId], upload);
                }

                serverWatch.Stop();
                if (record)
                {
                    clientTimes.Add(clientWatch.Elapsed.TotalMilliseconds);
                    serverTimes.Add(serverWatch.Elapsed.TotalMilliseconds);
                }
            });
            return (clientTimes, serverTimes);
        }

        /// <summary>Client time and total server time (summed over the nodes) of logins with the first <paramref name="nodeCount"/> nodes.</summary>
        public (List<double> Client, List<double> Server) MeasureLogins(int nodeCount, int maxRuns, double budgetMs)
        {
            var user = UserId.New(rng);
            Register(user);
            var chosen = nodes.Keys.Take(nodeCount).ToList();
            var clientTimes = new List<double>();
            var serverTimes = new List<double>();
            Repeat(maxRuns, budgetMs, record =>
            {
                var clientWatch = Stopwatch.StartNew();
                using var login = client.StartLogin(user, Password, chosen);
                clientWatch.Stop();

                var serverWatch = Stopwatch.StartNew();
                var pending = new Dictionary<string, PendingLogin>(StringComparer.Ordinal);
                var responses = login.Requests.Select(r =>
                {
                    var (response, state) = nodes[r.NodeId].StartLogin(r);
                    pending[r.NodeId] = state;
                    return response;
                }).ToList();
                serverWatch.Stop();

                clientWatch.Start();
                using var result = login.Finish(responses);
                clientWatch.Stop();

                serverWatch.Start();
                foreach (var finish in result.Finishes)
                {
                    nodes[finish.NodeId].FinishLogin(pending[finish.NodeId], finish).Dispose();
                }

                serverWatch.Stop();
                if (record)
                {
                    clientTimes.Add(clientWatch.Elapsed.TotalMilliseconds);
                    serverTimes.Add(serverWatch.Elapsed.TotalMilliseconds);
                }
            });
            return (clientTimes, serverTimes);
        }

        public void Dispose()
        {
            setups.ForEach(s => s.Dispose());
            stores.ForEach(s => s.Dispose());
            rng.Dispose();
        }

        private void Register(UserId user)
        {
            using var registration = client.StartRegistration(user, Password);
            var pending = new Dictionary<string, PendingRegistration>(StringComparer.Ordinal);
            var responses = registration.Requests.Select(r =>
            {
                var (response, state) = nodes[r.NodeId].StartRegistration(r);
                pending[r.NodeId] = state;
                return response;
            }).ToList();
            using var result = registration.Finish(responses);
            foreach (var upload in result.Uploads)
            {
                nodes[upload.NodeId].FinishRegistration(pending[upload.NodeId], upload);
            }
        }

        /// <summary>One unrecorded warm-up, then recorded runs until the count or the time budget is reached (at least 3).</summary>
        private static void Repeat(int maxRuns, double budgetMs, Action<bool> run)
        {
            run(false);
            var total = Stopwatch.StartNew();
            for (var i = 0; i < maxRuns && (i < 3 || total.Elapsed.TotalMilliseconds < budgetMs); i++)
            {
                run(true);
            }
        }
    }
}
