using Google.Protobuf;
using Threshold.Rounds.Signing;
using Threshold.Transcripts;

namespace Threshold.Rounds;

/// <summary>What a message is: a round's payload, a confirmation, or an abort notice.</summary>
public enum MessageKind
{
    /// <summary>A protocol round's payload.</summary>
    Round = 0,

    /// <summary>The empty broadcast a party sends once it has its result; it carries the last round's echo.</summary>
    Confirmation = 1,

    /// <summary>An abort notice: the sender stopped and names whom it blames, with evidence.</summary>
    Abort = 2,
}

/// <summary>
/// One party's echo of a broadcast it received. The entry names only the sender; the rest of the
/// slot (protocol, session, the previous round, broadcast) is fixed by the message carrying it, so
/// the signature verifies only if the sender really signed that content for that very slot.
/// </summary>
/// <param name="Sender">Whose broadcast this echoes.</param>
/// <param name="ContentHash">The broadcast's <see cref="RoundMessage.ContentHash"/> as received.</param>
/// <param name="Signature">The broadcast sender's signature, as received.</param>
public sealed record EchoEntry(int Sender, byte[] ContentHash, byte[] Signature);

/// <summary>
/// A protocol message as it travels: bound to the protocol, the session id, the round, the sender and
/// the recipient (none for a broadcast), and signed by the sender. The signature covers the
/// <em>slot</em> (protocol, session, round, sender, recipient, and whether it is an abort notice)
/// and the <em>content</em> (kind, payload, echo, complaint) through its hash. An honest party signs
/// at most one content per slot, so two signed contents for one slot — whether as two messages or
/// as a message and another party's echo of it — prove equivocation to anyone holding the parties'
/// public keys. Signed messages are the evidence a blame carries.
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

    /// <summary>How deeply abort notices may nest (a notice naming a false accuser cites that accuser's notice).</summary>
    public const int MaxComplaintDepth = 3;

    private const int MaxProtocolName = 128;
    private const int MaxSessionId = 64;
    private const int MaxSignature = 256;
    private const int MaxParties = 1024;
    private const int MaxRound = 64;

    /// <summary>What the message is.</summary>
    public MessageKind Kind { get; init; } = MessageKind.Round;

    /// <summary>In an abort notice, the culprits the sender names with their evidence.</summary>
    public IReadOnlyList<Culprit> Complaint { get; init; } = [];

    /// <summary>Whether this message goes to every party.</summary>
    public bool IsBroadcast => Recipient is null;

    /// <summary>Whether this is an abort notice.</summary>
    public bool IsAbort => Kind == MessageKind.Abort;

    /// <summary>Whether this is a confirmation.</summary>
    public bool IsConfirmation => Kind == MessageKind.Confirmation;

    /// <summary>
    /// The hash of everything the sender says in the message: kind, payload, echo and complaint.
    /// Echo entries carry it in place of the whole message.
    /// </summary>
    public byte[] ContentHash()
    {
        using var t = Transcript.Start("threshold.rounds.content")
            .Append("kind", (ulong)Kind)
            .Append("payload", Payload)
            .Append("echo.count", (ulong)Echo.Count);
        foreach (var entry in Echo)
        {
            t.Append("echo.sender", (ulong)entry.Sender).Append("echo.content", entry.ContentHash).Append("echo.signature", entry.Signature);
        }

        t.Append("complaint.count", (ulong)Complaint.Count);
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

    /// <summary>The digest the sender signs: the slot and the content hash.</summary>
    public byte[] Digest() => SlotDigest(Protocol, SessionId, Round, Sender, Recipient, IsAbort, ContentHash());

    /// <summary>
    /// The signed digest of the message in slot (protocol, session, round, sender, recipient, abort)
    /// with content hash <paramref name="contentHash"/>.
    /// </summary>
    public static byte[] SlotDigest(string protocol, ReadOnlySpan<byte> sessionId, int round, int sender, int? recipient, bool abort, ReadOnlySpan<byte> contentHash)
    {
        using var t = Transcript.Start("threshold.rounds.message")
            .Append("protocol", protocol)
            .Append("sid", sessionId)
            .Append("round", (ulong)round)
            .Append("sender", (ulong)sender)
            .Append("recipient", (ulong)(recipient ?? 0))
            .Append("abort", abort ? 1UL : 0UL)
            .Append("content", contentHash);
        return t.Digest();
    }

    /// <summary>Whether <paramref name="entry"/>, carried by this message, is a genuine signature of its sender on a previous-round broadcast of this session.</summary>
    public bool EchoVerifies(EchoEntry entry, IPartyDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(directory);
        return Round > 1
            && directory.Verify(entry.Sender, SlotDigest(Protocol, SessionId, Round - 1, entry.Sender, null, abort: false, entry.ContentHash), entry.Signature);
    }

    /// <summary>Whether this message's signature verifies under its sender's identity key.</summary>
    public bool SignatureVerifies(IPartyDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return directory.Verify(Sender, Digest(), Signature);
    }

    /// <summary>Whether two messages occupy the same slot (so an honest sender signs only one content for both).</summary>
    public bool SameSlotAs(RoundMessage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Protocol == other.Protocol && SessionId.AsSpan().SequenceEqual(other.SessionId) && Round == other.Round
            && Sender == other.Sender && Recipient == other.Recipient && IsAbort == other.IsAbort;
    }

    /// <summary>Whether two messages carry the same signed content.</summary>
    public bool SameContentAs(RoundMessage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ContentHash().AsSpan().SequenceEqual(other.ContentHash());
    }

    /// <summary>Protobuf encoding.</summary>
    public byte[] Encode() => ToWire().ToByteArray();

    /// <summary>Size of the protobuf encoding in bytes.</summary>
    public int EncodedSize => ToWire().CalculateSize();

    /// <summary>Strict decoding: field sizes bounded, indices positive, echo and complaint well formed.</summary>
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

        return FromWire(m, MaxComplaintDepth);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{Protocol} round {Round} {Kind} from {Sender} to {(Recipient is { } r ? r.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all")} ({Payload.Length} bytes)";

    /// <summary>
    /// Checks the envelope's structure, as decoding does: bounded sizes and indices, a confirmation or
    /// abort notice broadcast without payload, a complaint only in an abort notice, well-formed echo
    /// entries, and abort notices nested as evidence at most <paramref name="depth"/> − 1 deep.
    /// </summary>
    /// <exception cref="DecodingException">Which rule the message breaks.</exception>
    public void Validate(int depth = MaxComplaintDepth)
    {
        Require(depth >= 1, "evidence nesting");
        Require(Protocol.Length is > 0 and <= MaxProtocolName, "protocol");
        Require(SessionId.Length is > 0 and <= MaxSessionId, "session id");
        Require(Round is >= 1 and <= MaxRound, "round");
        Require(Sender is >= 1 and <= MaxParties, "sender");
        Require(Recipient is null or (>= 1 and <= MaxParties), "recipient");
        Require(Payload.Length <= MaxPayloadBytes, "payload");
        Require(Signature.Length is > 0 and <= MaxSignature, "signature");
        Require(Enum.IsDefined(Kind), "kind");
        Require(IsAbort || Complaint.Count == 0, "complaint outside an abort notice");
        Require(!IsAbort || (Recipient is null && Payload.Length == 0 && Echo.Count == 0), "abort notice");
        Require(!IsConfirmation || (Recipient is null && Payload.Length == 0), "confirmation");
        Require(Echo.Count <= MaxParties && Echo.All(e => e.Sender is >= 1 and <= MaxParties && e.ContentHash.Length == 32 && e.Signature.Length <= MaxSignature), "echo entry");
        Require(Complaint.Count <= MaxParties, "complaint");
        foreach (var a in Complaint)
        {
            Require(a.Party is >= 1 and <= MaxParties && a.Check.Length is > 0 and <= 128 && a.Reason.Length <= 1024 && a.Evidence.Count <= 4 * MaxParties, "accusation");
            Require(a.Disclosure.Length <= MaxPayloadBytes, "disclosure");
            foreach (var e in a.Evidence)
            {
                Require(depth > 1 || !e.IsAbort, "evidence nesting");
                e.Validate(depth - 1);
            }
        }
    }

    private static RoundMessage FromWire(Wire.RoundMessage m, int depth)
    {
        Require(m.Recipient <= MaxParties && m.Sender <= MaxParties && m.Round <= MaxRound && Enum.IsDefined((MessageKind)m.Kind), "envelope");
        Require(m.Complaint.Count <= MaxParties && m.Echo.Count <= MaxParties && m.Complaint.All(a => a.Evidence.Count <= 4 * MaxParties), "list size");
        var complaint = new List<Culprit>(m.Complaint.Count);
        foreach (var a in m.Complaint)
        {
            Require(depth > 1 || a.Evidence.All(e => e.Kind != Wire.MessageKind.Abort), "evidence nesting");
            complaint.Add(new Culprit((int)a.Culprit, a.Check, a.Reason, [.. a.Evidence.Select(e => FromWire(e, depth - 1))]) { Disclosure = a.Disclosure.ToByteArray() });
        }

        var message = new RoundMessage(
            m.Protocol,
            m.SessionId.ToByteArray(),
            (int)m.Round,
            (int)m.Sender,
            m.Recipient == 0 ? null : (int)m.Recipient,
            m.Payload.ToByteArray(),
            [.. m.Echo.Select(e => new EchoEntry((int)e.Sender, e.ContentHash.ToByteArray(), e.Signature.ToByteArray()))],
            m.Signature.ToByteArray())
        {
            Kind = (MessageKind)m.Kind,
            Complaint = complaint,
        };
        message.Validate(depth);
        return message;
    }

    private Wire.RoundMessage ToWire()
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
            Kind = (Wire.MessageKind)Kind,
        };
        foreach (var e in Echo)
        {
            m.Echo.Add(new Wire.EchoEntry { Sender = (uint)e.Sender, ContentHash = ByteString.CopyFrom(e.ContentHash), Signature = ByteString.CopyFrom(e.Signature) });
        }

        foreach (var accusation in Complaint)
        {
            var a = new Wire.Accusation { Culprit = (uint)accusation.Party, Check = accusation.Check, Reason = accusation.Reason, Disclosure = ByteString.CopyFrom(accusation.Disclosure) };
            a.Evidence.AddRange(accusation.Evidence.Select(e => e.ToWire()));
            m.Complaint.Add(a);
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
