using Google.Protobuf;
using Threshold.Transcripts;

namespace Threshold.Rounds;

/// <summary>One party's echo of a broadcast it received: the broadcast's digest and its sender's signature.</summary>
/// <param name="Sender">Whose broadcast this echoes.</param>
/// <param name="Digest">Digest of the broadcast as received.</param>
/// <param name="Signature">The broadcast sender's signature over <paramref name="Digest"/>, as received.</param>
public sealed record EchoEntry(int Sender, byte[] Digest, byte[] Signature);

/// <summary>
/// A protocol message as it travels: bound to the protocol, the session id, the round, the sender and
/// the recipient (none for a broadcast), signed by the sender over all of that, and carrying the
/// sender's echo of the previous round's broadcasts. Signed messages are the evidence a blame carries:
/// anyone with the parties' public keys can check who said what.
/// </summary>
public sealed record RoundMessage(
    string Protocol,
    byte[] SessionId,
    int Round,
    int Sender,
    int? Recipient,
    byte[] Payload,
    IReadOnlyList<EchoEntry> Echo,
    byte[] Signature)
{
    /// <summary>Largest payload accepted from the wire (16 MiB; aux-info proofs are the biggest, well below).</summary>
    public const int MaxPayloadBytes = 16 << 20;

    private const int MaxProtocolName = 128;
    private const int MaxSessionId = 64;
    private const int MaxSignature = 256;
    private const int MaxParties = 1024;

    /// <summary>Whether this message goes to every party.</summary>
    public bool IsBroadcast => Recipient is null;

    /// <summary>
    /// In an abort notice, the culprits the sender found, with evidence (possibly none, when a check
    /// failed that cannot be attributed). Abort notices are broadcasts outside the round structure.
    /// </summary>
    public IReadOnlyList<Culprit> Complaint { get; init; } = [];

    /// <summary>Whether this is an abort notice (the sender stopped, naming <see cref="Complaint"/>).</summary>
    public bool IsAbort { get; init; }

    /// <summary>Whether this is an abort notice.</summary>
    public bool IsComplaint => IsAbort || Complaint.Count > 0;

    /// <summary>
    /// The digest the sender signs: a transcript over every field but the signature, so a signature
    /// binds the payload to this protocol, session, round, sender and recipient.
    /// </summary>
    public byte[] Digest()
    {
        using var t = Transcript.Start("threshold.rounds.message")
            .Append("protocol", Protocol)
            .Append("sid", SessionId)
            .Append("round", (ulong)Round)
            .Append("sender", (ulong)Sender)
            .Append("recipient", (ulong)(Recipient ?? 0))
            .Append("payload", Payload)
            .Append("echo.count", (ulong)Echo.Count);
        foreach (var entry in Echo)
        {
            t.Append("echo.sender", (ulong)entry.Sender).Append("echo.digest", entry.Digest).Append("echo.signature", entry.Signature);
        }

        t.Append("abort", IsAbort ? 1UL : 0UL).Append("complaint.count", (ulong)Complaint.Count);
        foreach (var accusation in Complaint)
        {
            t.Append("culprit", (ulong)accusation.Party).Append("check", accusation.Check).Append("reason", accusation.Reason).Append("disclosure", accusation.Disclosure)
                .Append("evidence.count", (ulong)accusation.Evidence.Count);
            foreach (var evidence in accusation.Evidence)
            {
                t.Append("evidence.digest", evidence.Digest()).Append("evidence.signature", evidence.Signature);
            }
        }

        return t.Digest();
    }

    /// <summary>Protobuf encoding.</summary>
    public byte[] Encode() => ToWire().ToByteArray();

    /// <summary>Size of the protobuf encoding in bytes.</summary>
    public int EncodedSize => ToWire().CalculateSize();

    /// <summary>Strict decoding: field sizes bounded, indices positive, echo well formed.</summary>
    /// <exception cref="DecodingException">Malformed or out-of-range fields.</exception>
    public static RoundMessage Decode(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length > MaxPayloadBytes + (1 << 20))
        {
            throw new DecodingException(DecodingError.OutOfRange, "round message");
        }

        Wire.RoundMessage m;
        try
        {
            m = Wire.RoundMessage.Parser.ParseFrom(encoded);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new DecodingException(DecodingError.Malformed, "round message");
        }

        var message = FromWire(m);
        Require(m.Complaint.Count <= MaxParties, "complaint");
        var complaint = new List<Culprit>(m.Complaint.Count);
        foreach (var a in m.Complaint)
        {
            Require(a.Culprit is >= 1 and <= MaxParties && a.Check.Length is > 0 and <= 128 && a.Reason.Length <= 1024 && a.Evidence.Count <= 4 * MaxParties, "accusation");
            var evidence = new List<RoundMessage>(a.Evidence.Count);
            foreach (var e in a.Evidence)
            {
                Require(e.Complaint.Count == 0 && !e.Abort, "evidence"); // evidence never nests complaints
                evidence.Add(FromWire(e));
            }

            Require(a.Disclosure.Length <= MaxPayloadBytes, "disclosure");
            complaint.Add(new Culprit((int)a.Culprit, a.Check, a.Reason, evidence) { Disclosure = a.Disclosure.ToByteArray() });
        }

        return message with { Complaint = complaint, IsAbort = m.Abort };
    }

    private static RoundMessage FromWire(Wire.RoundMessage m)
    {
        Require(m.Protocol.Length is > 0 and <= MaxProtocolName, "protocol");
        Require(m.SessionId.Length is > 0 and <= MaxSessionId, "session id");
        Require(m.Round is >= 1 and <= 64, "round");
        Require(m.Sender is >= 1 and <= MaxParties, "sender");
        Require(m.Recipient <= MaxParties, "recipient");
        Require(m.Payload.Length <= MaxPayloadBytes, "payload");
        Require(m.Signature.Length is > 0 and <= MaxSignature, "signature");
        Require(m.Echo.Count <= MaxParties, "echo");
        var echo = new List<EchoEntry>(m.Echo.Count);
        foreach (var e in m.Echo)
        {
            Require(e.Sender is >= 1 and <= MaxParties && e.Digest.Length == 32 && e.Signature.Length <= MaxSignature, "echo entry");
            echo.Add(new EchoEntry((int)e.Sender, e.Digest.ToByteArray(), e.Signature.ToByteArray()));
        }

        return new RoundMessage(
            m.Protocol,
            m.SessionId.ToByteArray(),
            (int)m.Round,
            (int)m.Sender,
            m.Recipient == 0 ? null : (int)m.Recipient,
            m.Payload.ToByteArray(),
            echo,
            m.Signature.ToByteArray());
    }

    /// <summary>Whether two messages carry the same signed content.</summary>
    public bool SameContentAs(RoundMessage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Digest().AsSpan().SequenceEqual(other.Digest());
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Protocol} round {Round} from {Sender} to {(Recipient is { } r ? r.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all")} ({Payload.Length} bytes)";

    private Wire.RoundMessage ToWire()
    {
        var m = ToWireWithoutComplaint();
        m.Abort = IsAbort;
        foreach (var accusation in Complaint)
        {
            var a = new Wire.Accusation { Culprit = (uint)accusation.Party, Check = accusation.Check, Reason = accusation.Reason, Disclosure = ByteString.CopyFrom(accusation.Disclosure) };
            a.Evidence.AddRange(accusation.Evidence.Select(e => e.ToWireWithoutComplaint()));
            m.Complaint.Add(a);
        }

        return m;
    }

    private Wire.RoundMessage ToWireWithoutComplaint()
    {
        var m = new Wire.RoundMessage
        {
            Protocol = Protocol,
            SessionId = ByteString.CopyFrom(SessionId),
            Round = (uint)Round,
            Sender = (uint)Sender,
            Recipient = (uint)(Recipient ?? 0),
            Payload = ByteString.CopyFrom(Payload),
            Signature = ByteString.CopyFrom(Signature),
        };
        foreach (var e in Echo)
        {
            m.Echo.Add(new Wire.EchoEntry { Sender = (uint)e.Sender, Digest = ByteString.CopyFrom(e.Digest), Signature = ByteString.CopyFrom(e.Signature) });
        }

        return m;
    }

    private static void Require(bool condition, string field)
    {
        if (!condition)
        {
            throw new DecodingException(DecodingError.OutOfRange, field);
        }
    }
}
