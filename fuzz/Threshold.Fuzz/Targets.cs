using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Threshold.Channels;
using Threshold.Cggmp.Presigning;
using Threshold.Cggmp.Shares;
using Threshold.Cggmp.Signing;
using Threshold.Contracts.V1;
using Threshold.Curves;
using Curve = Threshold.Curves.Curve;
using Threshold.Node.Identity;
using Threshold.Opaque;
using Threshold.Opaque.Messages;
using Threshold.Opaque.Oprf;
using Threshold.Proofs;
using Threshold.Proofs.Encoding;
using Threshold.Rounds;
using Threshold.Secrets;
using Threshold.Server.Hosting;
using Threshold.Storage.Internal;
using Threshold.Storage.Sealing;
using static Threshold.Fuzz.Fixtures;

namespace Threshold.Fuzz;

/// <summary>Every fuzz target: one per decoder that takes bytes from outside the process.</summary>
public static class Targets
{
    private static readonly Type[] Decoding = [typeof(DecodingException)];
    private static readonly Type[] Protobuf = [typeof(InvalidProtocolBufferException), typeof(InvalidJsonException)];
    private static readonly Type[] Json = [typeof(JsonException), typeof(InvalidDataException)];

    private static readonly Lazy<IReadOnlyDictionary<string, FuzzTarget>> Table = new(Build);

    /// <summary>The targets by name.</summary>
    public static IReadOnlyDictionary<string, FuzzTarget> All => Table.Value;

    /// <summary>The target named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No such target.</exception>
    public static FuzzTarget Get(string name) =>
        All.TryGetValue(name, out var target) ? target : throw new ArgumentException($"unknown target '{name}' (try: list)", nameof(name));

    private static Dictionary<string, FuzzTarget> Build()
    {
        FuzzTarget[] targets =
        [
            // Curves: the first byte selects the curve, the rest is the encoding.
            new("point", b => Point.Decode(CurveOf(Head(b)), Tail(b)), Decoding, Seeds.Points),
            new("scalar", DecodeScalars, Decoding, Seeds.Scalars),

            // Paillier values as proofs carry them: units of Z*_N, bounded naturals, signed integers.
            new("paillier", DecodePaillierValues, Decoding, Seeds.PaillierValues),

            // Round envelopes (echoes and complaints are fields of the same message) and protocol payloads.
            new("round-message", b => RoundMessage.Decode(b), Decoding, Seeds.RoundMessages),
            new("presign-setup", b => PresignSetup.Decode(b), Decoding, Seeds.Empty),
            new("partial-signature", b => PartialSignature.Decode(CurveOf(Head(b)), Tail(b)), Decoding, Seeds.Scalars),

            // Each zero-knowledge proof, decoded against a fixed statement.
            new("proof-sch", b => SchnorrProof.Proof.Decode(CurveOf(Head(b)), Tail(b)), Decoding, Seeds.SchnorrProofs),
            new("proof-enc", b => PaillierEncryptionInRangeProof.Proof.Decode(new(Level, DefaultCurve, Values.Setup, Values.N0, Values.C), b), Decoding, Seeds.EncProofs),
            new("proof-log", b => KnowledgeOfExponentVsEncryptionProof.Proof.Decode(new(Level, Values.Setup, Values.N0, Values.C, Values.X, Values.Base), b), Decoding, Seeds.EncProofs),
            new("proof-aff-g", b => AffineOperationWithGroupCommitmentProof.Proof.Decode(new(Level, Values.Setup, Values.N0, Values.N1, Values.C, Values.D, Values.Y, Values.X), b), Decoding, Seeds.EncProofs),
            new("proof-aff-p", b => AffineOperationWithPaillierCommitmentProof.Proof.Decode(new(Level, DefaultCurve, Values.Setup, Values.N0, Values.N1, Values.C, Values.D, Values.C, Values.Y), b), Decoding, Seeds.EncProofs),
            new("proof-mul", b => PaillierMultiplicationProof.Proof.Decode(new(Values.N0, Values.C, Values.D, Values.C, DefaultCurve), b), Decoding, Seeds.EncProofs),
            new("proof-mul-star", b => MultiplicationWithGroupCommitmentProof.Proof.Decode(new(Values.N0, Values.C, Values.D, Values.X, Values.Setup, Level), b), Decoding, Seeds.EncProofs),
            new("proof-dec", b => DecryptionModuloQProof.Proof.Decode(new(Values.N0, Values.C, Scalar.FromValue(DefaultCurve, 5), Values.Setup, Level, 256), b), Decoding, Seeds.EncProofs),
            new("proof-mod", b => PaillierBlumModulusProof.Proof.Decode(PaillierBlumModulusProof.Statement.For(Values.N0, Level), b), Decoding, Seeds.ModProofs),
            new("proof-prm", b => RingPedersenParametersProof.Proof.Decode(new(Values.Setup, Level), b), Decoding, Seeds.ModProofs),
            new("proof-fac", b => NoSmallFactorProof.Proof.Decode(new(Values.N0, Values.Setup, Level), b), Decoding, Seeds.FacProofs),

            // OPAQUE: the first byte selects the suite (even: ristretto255-SHA512, odd: P256-SHA256).
            new("opaque-registration-request", b => RegistrationRequest.Deserialize(SuiteOf(Head(b)), Tail(b)), Decoding, () => Seeds.Opaque("registration_request")),
            new("opaque-registration-response", b => RegistrationResponse.Deserialize(SuiteOf(Head(b)), Tail(b)), Decoding, () => Seeds.Opaque("registration_response")),
            new("opaque-registration-record", b => RegistrationRecord.Deserialize(SuiteOf(Head(b)), Tail(b)), Decoding, () => Seeds.Opaque("registration_upload")),
            new("opaque-ke1", b => KE1.Deserialize(SuiteOf(Head(b)), Tail(b)), Decoding, () => Seeds.Opaque("KE1")),
            new("opaque-ke2", b => KE2.Deserialize(SuiteOf(Head(b)), Tail(b)), Decoding, () => Seeds.Opaque("KE2")),
            new("opaque-ke3", b => KE3.Deserialize(SuiteOf(Head(b)), Tail(b)), Decoding, () => Seeds.Opaque("KE3")),
            new("opaque-dleq", b => DleqProof.Deserialize(SuiteOf(Head(b)).Group, Tail(b)), Decoding, Seeds.Empty),

            // The gRPC / JSON APIs: the first byte selects the message type and whether the rest is protobuf or JSON.
            new("wallet-api", b => ParseApiMessage(WalletReflection.Descriptor, b), Protobuf, () => Seeds.ApiMessages(WalletReflection.Descriptor)),
            new("node-api", b => ParseApiMessage(NodeReflection.Descriptor, b), Protobuf, () => Seeds.ApiMessages(NodeReflection.Descriptor)),
            new("common-api", b => ParseApiMessage(CommonReflection.Descriptor, b), Protobuf, () => Seeds.ApiMessages(CommonReflection.Descriptor)),
            new("discovery", b => JsonParser.Default.Parse<ClusterInfo>(Text(b)), Protobuf, Seeds.Discovery),

            // A channel envelope as a node receives it: parsed, then opened under a fixed session key.
            new("channel-envelope", OpenEnvelope, [typeof(InvalidProtocolBufferException), typeof(ChannelException)], Seeds.Envelopes),

            // Stored records, after the sealer's authentication (a node's own database is not trusted blindly).
            new("stored-key-share", b => StateCodec.DecodeKeyShare(b), Decoding, Seeds.KeyShares),
            new("stored-aux-info", b => StateCodec.DecodeAuxInfo(b), Decoding, Seeds.Empty),
            new("stored-presignature", b => StateCodec.DecodePresignature(b), Decoding, Seeds.Empty),
            new("stored-node-state", b => NodeState.Decode(b), [typeof(FormatException)], Seeds.NodeStates),
            new("stored-sealed-record", OpenSealed, Decoding, Seeds.Sealed),
            new("node-secrets", b => NodeSecrets.Decode(b), Decoding, Seeds.Empty),

            // Configuration files.
            new("cluster-file", b => ClusterFile.Parse(Text(b), "fuzz"), Json, () => Seeds.Config("cluster")),
            new("node-config", b => NodeConfig.Parse(Text(b), "/fuzz", "fuzz"), Json, () => Seeds.Config("node")),
            new("aggregator-config", b => AggregatorConfig.Parse(Text(b), "/fuzz", "fuzz"), Json, () => Seeds.Config("aggregator")),
        ];
        return targets.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    internal static byte Head(byte[] b) => b.Length == 0 ? (byte)0 : b[0];

    internal static ReadOnlySpan<byte> Tail(byte[] b) => b.Length == 0 ? [] : b.AsSpan(1);

    internal static OpaqueSuite SuiteOf(byte selector) => (selector & 1) == 0 ? OpaqueSuite.Ristretto255Sha512 : OpaqueSuite.P256Sha256;

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);

    private static void DecodeScalars(byte[] b)
    {
        var curve = CurveOf(Head(b));
        // Each decoder separately: a refusal by one must not hide a crash in the next.
        Try(() => Scalar.Decode(curve, Tail(b)));
        Try(() => Scalar.DecodeNonZero(curve, Tail(b)));
        using var secret = SecretScalar.Decode(curve, Tail(b));
    }

    private static void DecodePaillierValues(byte[] b)
    {
        var value = ByteString.CopyFrom(Tail(b));
        var key = Values.N0;
        Try(() => WireCodec.DecodeUnit(value, key.N, key.Arithmetic, "unit"));
        Try(() => WireCodec.DecodeUnsigned(value, key.N, "natural"));
        WireCodec.DecodeSigned(value, Level.Ell + Level.Epsilon + 1, "signed");
    }

    private static void Try(Action decode)
    {
        try
        {
            decode();
        }
        catch (DecodingException)
        {
            // Documented refusal; the caller goes on to the next decoder.
        }
    }

    /// <summary>The message types of <paramref name="file"/>, in declaration order (nested types excluded).</summary>
    internal static IReadOnlyList<MessageDescriptor> MessageTypes(FileDescriptor file) => [.. file.MessageTypes];

    private static void ParseApiMessage(FileDescriptor file, byte[] b)
    {
        var types = MessageTypes(file);
        var selector = Head(b);
        var descriptor = types[(selector & 0x7f) % types.Count];
        if ((selector & 0x80) == 0)
        {
            descriptor.Parser.ParseFrom(Tail(b));
        }
        else
        {
            // The JSON transcoding path (HTTP/JSON wallet API).
            JsonParser.Default.Parse(Encoding.UTF8.GetString(Tail(b)), descriptor);
        }
    }

    internal static readonly byte[] ChannelKey = SHA256.HashData("fuzz channel key"u8);
    internal static readonly byte[] ChannelSessionId = "fuzz-session-id"u8.ToArray();
    internal const string ChannelNode = "node-1";

    private static void OpenEnvelope(byte[] b)
    {
        var envelope = ChannelEnvelope.Parser.ParseFrom(b);
        using var channel = SecureChannel.Open(ChannelKey, ChannelNode, ChannelSessionId, ChannelSide.Node);
        channel.Open(envelope, ChannelRequest.Parser);
    }

    internal static readonly byte[] StorageKeyBytes = SHA256.HashData("fuzz storage key"u8);

    internal static RecordBinding SealedBinding => new(SealedKind.Record, "key_shares", "k1", "alice", 1);

    private static void OpenSealed(byte[] b)
    {
        using var key = StorageKey.FromBytes(StorageKeyBytes);
        using var sealer = new AesGcmRecordSealer(key);
        // A record that fails authentication is refused by the store; one that opens is then decoded.
        if (sealer.TryOpen(SealedBinding, b, out var plaintext))
        {
            StateCodec.DecodeKeyShare(plaintext);
        }
    }
}
