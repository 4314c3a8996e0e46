using System.Collections.Concurrent;
using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Cggmp.Auxiliary;
using Threshold.Cggmp.KeyGeneration;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Cggmp.Signing;
using Threshold.Curves;
using Threshold.Paillier;
using Threshold.Randomness;
using Threshold.Rounds;
using Threshold.Rounds.Runner;
using Threshold.Rounds.Signing;
using Threshold.Testing;

namespace Threshold.Cggmp.Tests;

/// <summary>
/// A key generated and provisioned in memory: n parties with identity keys, key shares and aux info.
/// Aux info (the slow part) is made once per party count and shared by both curves.
/// </summary>
internal sealed class Cluster
{
    private static readonly ConcurrentDictionary<int, Lazy<(IReadOnlyList<IMessageSigner> Signers, EcdsaPartyKeys Directory, IReadOnlyList<AuxInfo> Aux)>> Provisioned = new();
    private static readonly ConcurrentDictionary<(string, int, int), Lazy<Cluster>> Clusters = new();

    private Cluster(Curve curve, int threshold, IReadOnlyList<IMessageSigner> signers, EcdsaPartyKeys directory, IReadOnlyList<KeyShare> shares, IReadOnlyList<AuxInfo> aux)
    {
        Curve = curve;
        Threshold = threshold;
        Signers = signers;
        Directory = directory;
        Shares = shares;
        Aux = aux;
    }

    public Curve Curve { get; }

    public int Threshold { get; }

    public IReadOnlyList<IMessageSigner> Signers { get; }

    public EcdsaPartyKeys Directory { get; }

    public IReadOnlyList<KeyShare> Shares { get; }

    public IReadOnlyList<AuxInfo> Aux { get; }

    public Point PublicKey => Shares[0].PublicKey;

    public static Cluster Get(Curve curve, int threshold, int n) =>
        Clusters.GetOrAdd((curve.Name, threshold, n), _ => new Lazy<Cluster>(() => Build(curve, threshold, n))).Value;

    private static Cluster Build(Curve curve, int threshold, int n)
    {
        var (signers, directory, aux) = Provisioned.GetOrAdd(n, _ => new Lazy<(IReadOnlyList<IMessageSigner>, EcdsaPartyKeys, IReadOnlyList<AuxInfo>)>(() => Provision(n))).Value;
        var config = new KeygenConfig(curve, threshold, [.. Enumerable.Range(1, n)], System.Text.Encoding.UTF8.GetBytes($"cluster keygen {curve.Name} {threshold} {n}"));
        var rng = new SeededRandom($"cluster {curve.Name} {threshold} {n}");
        var parties = Enumerable.Range(1, n).Select(i => Keygen.Create(config, new PartyIdentity(signers[i - 1], directory), rng.Fork($"party-{i}"))).ToList();
        Assert.True(InMemoryNetwork.Run(parties).AllCompleted);
        return new Cluster(curve, threshold, signers, directory, [.. parties.Select(p => p.Result)], aux);
    }

    private static (IReadOnlyList<IMessageSigner>, EcdsaPartyKeys, IReadOnlyList<AuxInfo>) Provision(int n)
    {
        var (signers, directory) = EcdsaPartyKeys.Generate(n);
        var config = new AuxInfoConfig(SecurityLevel.Bits2048, [.. Enumerable.Range(1, n)], System.Text.Encoding.UTF8.GetBytes($"cluster aux {n}"));
        var rng = new SeededRandom($"cluster aux {n}");
        var pool = TestPrimes.Pool();
        var parties = Enumerable.Range(1, n).Select(i => AuxInfoProtocol.Create(config, new PartyIdentity(signers[i - 1], directory), rng.Fork($"party-{i}"), pool)).ToList();
        Assert.True(InMemoryNetwork.Run(parties).AllCompleted);
        return (signers, directory, [.. parties.Select(p => p.Result)]);
    }

    /// <summary>Runs presigning among <paramref name="signers"/>.</summary>
    public RunReport<Presignature> Presign(IReadOnlyList<int> signers, string seed, Interceptor? interceptor = null, int? faulty = null, PresignFaults? faults = null)
    {
        var config = new PresignConfig(signers, System.Text.Encoding.UTF8.GetBytes("presign " + seed));
        var rng = new SeededRandom("presign " + seed);
        var parties = signers.Select(i => Presigning.Presign.Create(
            config, Shares[i - 1], Aux[i - 1], new PartyIdentity(Signers[i - 1], Directory), rng.Fork($"party-{i}"), i == faulty ? faults : null)).ToList();
        return InMemoryNetwork.Run(parties, interceptor);
    }

    /// <summary>Presigns, signs the SHA-256 digest of <paramref name="message"/> and combines.</summary>
    public (EcdsaSignature Signature, byte[] Digest) Sign(IReadOnlyList<int> signers, string message)
    {
        var report = Presign(signers, message);
        Assert.True(report.AllCompleted, string.Join("; ", report.Parties.SelectMany(p => p.Culprits).Select(c => c.Reason)));
        var digest = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(message));
        var partials = report.Parties.Select(p => p.Result.Sign(digest)).ToList();
        return (SignatureCombiner.Combine(report.Parties[0].Result.Commitments, digest, partials), digest);
    }

    /// <summary>Rewrites field <paramref name="field"/> of a proof inside a message payload (flips its last bit), re-signed by the sender.</summary>
    public RoundMessage TamperProof<TOuter>(RoundMessage message, MessageParser<TOuter> outer, string proofField, MessageParser innerParser, string field)
        where TOuter : IMessage<TOuter>
    {
        var wrapper = outer.ParseFrom(message.Payload);
        var proofDescriptor = wrapper.Descriptor.FindFieldByName(proofField);
        var proofBytes = (ByteString)proofDescriptor.Accessor.GetValue(wrapper);
        var proof = innerParser.ParseFrom(proofBytes);
        var target = proof.Descriptor.FindFieldByName(field);
        var bytes = ((ByteString)target.Accessor.GetValue(proof)).ToByteArray();
        bytes[^1] ^= 1;
        target.Accessor.SetValue(proof, ByteString.CopyFrom(bytes));
        proofDescriptor.Accessor.SetValue(wrapper, proof.ToByteString());
        return Tamper.Resign(message, wrapper.ToByteArray(), Signers[message.Sender - 1]);
    }
}
