using BenchmarkDotNet.Attributes;
using Threshold.Opaque;
using Threshold.Opaque.Client;
using Threshold.Opaque.Cluster;
using Threshold.Opaque.Ksf;
using Threshold.Opaque.Server;
using Threshold.Randomness;

namespace Threshold.Benchmarks;

/// <summary>
/// One OPAQUE login (RFC 9807) with one node, per suite and key stretching function: the whole login
/// (client and node) and the node's part alone (GenerateKE2; ServerFinish adds one constant-time MAC
/// comparison). The client's cost is the difference. Run a subset with, for example,
/// <c>--filter *OpaqueBenchmarks* --anyCategories</c> or <c>--filter *OpaqueBenchmarks.ServerLogin*</c>.
/// </summary>
[MemoryDiagnoser]
public class OpaqueBenchmarks
{
    private static readonly byte[] Password = "correct horse battery staple"u8.ToArray();

    private readonly SeededRandom rng = new("opaque benchmarks");
    private ServerSetup setup = null!;
    private InMemoryRegistrationRecordStore store = null!;
    private OpaqueNode node = null!;
    private MultiServerClient client = null!;
    private UserId user = null!;
    private NodeLoginRequest request = null!;

    [Params("ristretto255", "p256")]
    public string Suite { get; set; } = "ristretto255";

    /// <summary>identity (vectors only), argon2id-interactive (t=2, 19 MiB), scrypt (RFC 9807), argon2id (RFC 9807: t=1, 2 GiB, p=1).</summary>
    [Params("identity", "argon2id-interactive", "scrypt", "argon2id")]
    public string Ksf { get; set; } = "identity";

    [GlobalSetup]
    public void Setup()
    {
        IKeyStretchingFunction ksf = Ksf switch
        {
            "identity" => IdentityKsf.Instance,
            "argon2id-interactive" => new Argon2idKsf(Argon2idProfile.Interactive),
            "scrypt" => new ScryptKsf(ScryptProfile.Rfc9807),
            _ => new Argon2idKsf(Argon2idProfile.Rfc9807),
        };
        var configuration = new OpaqueConfiguration(OpaqueSuite.FromName(Suite), ksf, OpaqueConfiguration.DefaultContext);
        setup = ServerSetup.Generate(configuration.Suite, rng);
        store = new InMemoryRegistrationRecordStore();
        node = new OpaqueNode("node-1", configuration, setup, store, rng);
        client = new MultiServerClient(configuration, new ClusterDescriptor([new NodeDescriptor("node-1", node.PublicKey)], 1), rng);
        user = UserId.New(rng);

        using var registration = client.StartRegistration(user, Password);
        var (response, pending) = node.StartRegistration(registration.Requests[0]);
        using var result = registration.Finish([response]);
        node.FinishRegistration(pending, result.Uploads[0]);

        using var login = client.StartLogin(user, Password);
        request = login.Requests[0];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        store.Dispose();
        setup.Dispose();
    }

    /// <summary>Client and node together: KE1, KE2, KE3 and both finishes.</summary>
    [Benchmark]
    public int FullLogin()
    {
        using var login = client.StartLogin(user, Password);
        var (response, pending) = node.StartLogin(login.Requests[0]);
        using var result = login.Finish([response]);
        using var session = node.FinishLogin(pending, result.Finishes[0]);
        return session.SessionKey.Length;
    }

    /// <summary>The node's side: GenerateKE2 for a registered user (a KE1 may be answered any number of times).</summary>
    [Benchmark]
    public int ServerLogin()
    {
        var (response, pending) = node.StartLogin(request);
        pending.Dispose();
        return response.KE2.Length;
    }
}
