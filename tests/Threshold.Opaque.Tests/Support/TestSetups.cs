using Threshold.Opaque.Client;
using Threshold.Opaque.Cluster;
using Threshold.Opaque.Ksf;
using Threshold.Opaque.Server;
using Threshold.Randomness;

namespace Threshold.Opaque.Tests.Support;

/// <summary>Configurations and clusters for tests: fast KSFs, seeded randomness.</summary>
internal static class TestSetups
{
    public static readonly byte[] Context = "threshold.opaque.tests"u8.ToArray();

    public static TheoryData<string> SuiteNames => ["ristretto255", "p256"];

    public static TheoryData<string, string> SuitesAndKsfs => new()
    {
        { "ristretto255", "identity" },
        { "ristretto255", "argon2id" },
        { "ristretto255", "scrypt" },
        { "p256", "identity" },
        { "p256", "argon2id" },
        { "p256", "scrypt" },
    };

    public static OpaqueConfiguration Configuration(string suite, string ksf = "identity") =>
        new(OpaqueSuite.FromName(suite), Ksf(ksf), Context);

    public static IKeyStretchingFunction Ksf(string name) => name switch
    {
        "identity" => IdentityKsf.Instance,
        "argon2id" => new Argon2idKsf(Argon2idProfile.Test),
        "scrypt" => new ScryptKsf(ScryptProfile.Test),
        _ => throw new ArgumentException(name, nameof(name)),
    };

    /// <summary>n nodes sharing one configuration, each with its own setup and store.</summary>
    public sealed class TestCluster : IDisposable
    {
        private readonly List<ServerSetup> setups = [];
        private readonly List<InMemoryRegistrationRecordStore> stores = [];

        public TestCluster(OpaqueConfiguration configuration, int count, int threshold, SeededRandom rng, bool pinKeys = true)
        {
            Configuration = configuration;
            var nodes = new List<OpaqueNode>();
            for (var i = 1; i <= count; i++)
            {
                var setup = ServerSetup.Generate(configuration.Suite, rng.Fork($"setup {i}"));
                var store = new InMemoryRegistrationRecordStore();
                setups.Add(setup);
                stores.Add(store);
                nodes.Add(new OpaqueNode($"node-{i}", configuration, setup, store, rng.Fork($"node {i}")));
            }

            Nodes = nodes;
            Descriptor = new ClusterDescriptor(nodes.Select(n => new NodeDescriptor(n.NodeId, pinKeys ? n.PublicKey : null)), threshold);
            Client = new MultiServerClient(configuration, Descriptor, rng.Fork("client"));
        }

        public OpaqueConfiguration Configuration { get; }

        public IReadOnlyList<OpaqueNode> Nodes { get; }

        public IReadOnlyList<InMemoryRegistrationRecordStore> Stores => stores;

        public IReadOnlyList<ServerSetup> Setups => setups;

        public ClusterDescriptor Descriptor { get; }

        public MultiServerClient Client { get; }

        public OpaqueNode Node(string id) => Nodes.Single(n => n.NodeId == id);

        /// <summary>Runs a whole registration; returns the client's export key (caller disposes).</summary>
        public SecretBytes Register(UserId user, byte[] password)
        {
            using var registration = Client.StartRegistration(user, password);
            var pending = new Dictionary<string, PendingRegistration>();
            var responses = registration.Requests.Select(request =>
            {
                var (response, state) = Node(request.NodeId).StartRegistration(request);
                pending[request.NodeId] = state;
                return response;
            }).ToList();
            using var result = registration.Finish(responses);
            foreach (var upload in result.Uploads)
            {
                Node(upload.NodeId).FinishRegistration(pending[upload.NodeId], upload);
            }

            return result.ExportKey.Clone();
        }

        /// <summary>Runs a whole login with the given nodes; returns the client result and the nodes' sessions.</summary>
        public (MultiServerLoginResult Client, List<NodeSession> Sessions) Login(UserId user, byte[] password, IEnumerable<string> nodeIds)
        {
            using var login = Client.StartLogin(user, password, nodeIds);
            var pending = new Dictionary<string, PendingLogin>();
            var responses = login.Requests.Select(request =>
            {
                var (response, state) = Node(request.NodeId).StartLogin(request);
                pending[request.NodeId] = state;
                return response;
            }).ToList();
            var result = login.Finish(responses);
            var sessions = result.Finishes.Select(f => Node(f.NodeId).FinishLogin(pending[f.NodeId], f)).ToList();
            return (result, sessions);
        }

        public void Dispose()
        {
            foreach (var setup in setups)
            {
                setup.Dispose();
            }

            foreach (var store in stores)
            {
                store.Dispose();
            }
        }
    }
}
