using System.Numerics;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Shares;
using Threshold.Channels;
using Threshold.Contracts.V1;
using Threshold.Curves;
using Curve = Threshold.Curves.Curve;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Randomness;
using Threshold.Rounds;
using Threshold.Rounds.Runner;
using Threshold.Rounds.Signing;
using Threshold.Secrets;
using Threshold.Server.Hosting;
using Threshold.Storage.Internal;
using Threshold.Storage.Sealing;
using Threshold.Testing;
using static Threshold.Fuzz.Fixtures;

namespace Threshold.Fuzz;

/// <summary>
/// Honest inputs for the seed corpora: encodings made by the code under test from the test fixtures,
/// messages recorded from an honest key generation, and the RFC 9807 vectors transcribed in the tests.
/// </summary>
internal static class Seeds
{
    /// <summary>Where the RFC 9807 vectors live, relative to the repository root.</summary>
    public const string OpaqueVectors = "tests/Threshold.Opaque.Tests/Vectors/opaque-rfc9807.json";

    /// <summary>The repository root the vectors are read from (set by the seed command).</summary>
    public static string RepositoryRoot { get; set; } = ".";

    // The configuration files' own conventions (camelCase, nulls left out).
    private static readonly JsonSerializerOptions ConfigJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private static readonly Lazy<Recorded> Recording = new(RecordKeygen);

    public static IEnumerable<byte[]> Empty() => [[], [0]];

    public static IEnumerable<byte[]> Points()
    {
        foreach (var (selector, curve) in new[] { ((byte)0, Curve.Secp256k1), ((byte)1, Curve.P256) })
        {
            var p = Point.MultiplyGenerator(Scalar.FromValue(curve, 7));
            yield return [selector, .. p.Encode()];
            yield return [selector, .. p.Encode(compressed: false)];
        }
    }

    public static IEnumerable<byte[]> Scalars()
    {
        foreach (var (selector, curve) in new[] { ((byte)0, Curve.Secp256k1), ((byte)1, Curve.P256) })
        {
            yield return [selector, .. Scalar.FromValue(curve, 1).Encode()];
            yield return [selector, .. Scalar.FromValue(curve, curve.Order - 1).Encode()];
        }
    }

    public static IEnumerable<byte[]> PaillierValues()
    {
        var n = Values.N0.N;
        yield return [0, .. WireCodec.Unsigned(n - 2).ToByteArray()];
        yield return [0, .. WireCodec.Signed(-BigInteger.Pow(2, 300)).ToByteArray()];
    }

    public static IEnumerable<byte[]> RoundMessages() => Recording.Value.Messages;

    public static IEnumerable<byte[]> KeyShares() => Recording.Value.Shares;

    public static IEnumerable<byte[]> SchnorrProofs()
    {
        foreach (var (selector, curve) in new[] { ((byte)0, Curve.Secp256k1), ((byte)1, Curve.P256) })
        {
            var rng = new SeededRandom("fuzz seed schnorr " + curve.Name);
            using var x = SecretScalar.Random(curve, rng);
            var proof = SchnorrProof.Prove(Context, new SchnorrProof.Statement(Point.MultiplyGenerator(x)), new SchnorrProof.Witness(x), rng);
            yield return [selector, .. proof.Encode()];
        }
    }

    /// <summary>An honest Πenc proof; its Paillier-sized fields also seed the other Paillier proofs.</summary>
    public static IEnumerable<byte[]> EncProofs()
    {
        var rng = new SeededRandom("fuzz seed enc");
        var ciphertext = Values.N0.Encrypt(42, rng, out var rho);
        var statement = new PaillierEncryptionInRangeProof.Statement(Level, DefaultCurve, Values.Setup, Values.N0, ciphertext);
        using var witness = new PaillierEncryptionInRangeProof.Witness(42, rho);
        yield return PaillierEncryptionInRangeProof.Prove(Context, statement, witness, rng, Values.Prover).Encode();
    }

    /// <summary>An honest Πmod proof (tens of KB: the format carries 80 repetitions).</summary>
    public static IEnumerable<byte[]> ModProofs()
    {
        var (p, q) = TestPrimes.Pair(Level, 0);
        using var witness = new PaillierBlumModulusProof.Witness(p, q);
        yield return PaillierBlumModulusProof.Prove(Context, PaillierBlumModulusProof.Statement.For(Values.N0, Level), witness, new SeededRandom("fuzz seed mod")).Encode();
    }

    public static IEnumerable<byte[]> FacProofs()
    {
        var (p, q) = TestPrimes.Pair(Level, 0);
        using var witness = new NoSmallFactorProof.Witness(p, q);
        yield return NoSmallFactorProof.Prove(Context, new NoSmallFactorProof.Statement(Values.N0, Values.Setup, Level), witness, new SeededRandom("fuzz seed fac")).Encode();
    }

    /// <summary>The RFC 9807 Appendix C value <paramref name="name"/> of every vector, behind its suite selector.</summary>
    public static IEnumerable<byte[]> Opaque(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, OpaqueVectors)));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vector in document.RootElement.EnumerateArray())
        {
            var selector = vector.GetProperty("config").GetProperty("Group").GetString() == "ristretto255" ? (byte)0 : (byte)1;
            if (vector.TryGetProperty("outputs", out var outputs) && outputs.TryGetProperty(name, out var hex) && seen.Add(selector + hex.GetString()!))
            {
                yield return [selector, .. Convert.FromHexString(hex.GetString()!)];
            }
        }
    }

    /// <summary>For each message type: its empty encoding, binary and JSON.</summary>
    public static IEnumerable<byte[]> ApiMessages(FileDescriptor file)
    {
        var types = Targets.MessageTypes(file);
        for (var i = 0; i < types.Count; i++)
        {
            yield return [(byte)i];
            yield return [(byte)(0x80 | i), .. "{}"u8];
        }
    }

    public static IEnumerable<byte[]> Discovery()
    {
        var info = new ClusterInfo { Version = "1", Threshold = 2, NodesTotal = 3, OpaqueSuite = "ristretto255-SHA512", Fingerprint = "123456", NodesReachable = 3 };
        info.Curves.Add(Contracts.V1.Curve.Secp256K1);
        info.Nodes.Add(new NodeDescriptor { NodeId = "node-1" });
        yield return Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(info));
    }

    public static IEnumerable<byte[]> Envelopes()
    {
        using var client = SecureChannel.Open(Targets.ChannelKey, Targets.ChannelNode, Targets.ChannelSessionId, ChannelSide.Client);
        yield return client.Seal(new ChannelRequest { Sign = new SignOperation { KeyId = "k1", Digest = ByteString.CopyFrom(new byte[32]) } }).ToByteArray();
        yield return client.Seal(new ChannelRequest { Logout = new LogoutOperation() }).ToByteArray();
    }

    public static IEnumerable<byte[]> NodeStates() => [NodeState.Genesis.Encode()];

    public static IEnumerable<byte[]> Sealed()
    {
        using var key = StorageKey.FromBytes(Targets.StorageKeyBytes);
        using var sealer = new AesGcmRecordSealer(key);
        return [.. Recording.Value.Shares.Take(1).Select(share => sealer.Seal(Targets.SealedBinding, share))];
    }

    public static IEnumerable<byte[]> Config(string kind)
    {
        var json = kind switch
        {
            "cluster" => JsonSerializer.Serialize(
                new ClusterFile(2, "ristretto255-SHA512", [new ClusterNodeEntry("node-1", 1, "https://127.0.0.1:7101", "AAAA", "AAAA", "-----BEGIN CERTIFICATE-----", "AAAA")], new ClusterAggregatorEntry("https://127.0.0.1:7100", "pem", "pem")),
                ConfigJson),
            "node" => JsonSerializer.Serialize(new NodeConfig("node-1", "cluster.json", "data", "127.0.0.1:7101", ConsensusFile: "consensus.db", LoginRefillInterval: TimeSpan.FromHours(8)), ConfigJson),
            _ => JsonSerializer.Serialize(new AggregatorConfig("cluster.json", "data", "127.0.0.1:7100", CorsOrigins: ["https://wallet.example"]), ConfigJson),
        };
        return [Encoding.UTF8.GetBytes(json)];
    }

    private sealed record Recorded(IReadOnlyList<byte[]> Messages, IReadOnlyList<byte[]> Shares);

    /// <summary>Runs an honest 2-of-3 key generation in memory and records every message on the wire.</summary>
    private static Recorded RecordKeygen()
    {
        const int n = 3;
        var (signers, directory) = EcdsaPartyKeys.Generate(n);
        var ids = Enumerable.Range(1, n).ToList();
        var config = new KeygenConfig(DefaultCurve, 2, ids, "fuzz seed keygen"u8.ToArray());
        var rng = new SeededRandom("fuzz seed keygen");
        var parties = ids.Select(i => Keygen.Create(config, new PartyIdentity(signers[i - 1], directory), rng.Fork($"party-{i}"))).ToList();
        var messages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        InMemoryNetwork.Run(parties, (message, recipient) =>
        {
            var encoded = message.Encode();
            messages.TryAdd(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(encoded)), encoded);
            return message;
        });
        var shares = parties.Where(p => p.Status == PartyStatus.Completed).Select(p => StateCodec.Encode(p.Result)).ToList();
        if (shares.Count != n)
        {
            throw new InvalidOperationException("the honest key generation did not complete");
        }

        return new Recorded([.. messages.Values], shares);
    }
}
