using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Threshold.Contracts.V1;

namespace Threshold.Channels;

/// <summary>Which end of a channel this is.</summary>
public enum ChannelSide
{
    /// <summary>The user's device.</summary>
    Client,

    /// <summary>The node.</summary>
    Node,
}

/// <summary>Why a channel message was refused.</summary>
public enum ChannelError
{
    /// <summary>For another node or another session.</summary>
    WrongSession,

    /// <summary>A counter not above the last one accepted: a replay or a reordering.</summary>
    Replayed,

    /// <summary>The authentication tag does not verify (tampered, or under another key).</summary>
    Forged,

    /// <summary>The plaintext is not a well-formed message.</summary>
    Malformed,

    /// <summary>The channel was closed (logout, expiry).</summary>
    Closed,

    /// <summary>A resumed channel has sealed as many messages as it was allowed (see <see cref="SecureChannel.Resume"/>).</summary>
    Exhausted,
}

/// <summary>A channel message was refused; nothing was accepted from it.</summary>
public sealed class ChannelException(ChannelError error) : Exception($"channel message refused: {error}")
{
    /// <summary>Why.</summary>
    public ChannelError Error { get; } = error;
}

/// <summary>
/// One end of the channel between a user and one node. Keys come from the node's OPAQUE session key by
/// HKDF-SHA256 (salt: the session id; info: the channel version and node id), one key per direction.
/// Each message is AES-256-GCM under its direction's key with a nonce made from its counter, and the
/// associated data binds node, session, direction and counter; counters must strictly increase, so a
/// replayed, reordered or reflected message is refused. Sealing is safe from several threads (each
/// message takes its own counter), but the other end refuses messages that arrive out of order, so one
/// conversation should send one request at a time.
/// </summary>
public sealed class SecureChannel : IDisposable
{
    private const int KeyLength = 32;
    private const int TagLength = 16;
    private readonly AesGcm sending;
    private readonly AesGcm receiving;
    private readonly byte sendDirection;
    private readonly ulong sendLimit;
    private ulong sent;
    private ulong received;
    private bool closed;

    private SecureChannel(string nodeId, byte[] sessionId, ChannelSide side, byte[] keys, ulong sent = 0, ulong received = 0, ulong sendLimit = ulong.MaxValue)
    {
        this.sent = sent;
        this.received = received;
        this.sendLimit = sendLimit;
        NodeId = nodeId;
        SessionId = sessionId;
        var toNode = keys.AsSpan(0, KeyLength);
        var toClient = keys.AsSpan(KeyLength, KeyLength);
        sending = new AesGcm(side == ChannelSide.Client ? toNode : toClient, TagLength);
        receiving = new AesGcm(side == ChannelSide.Client ? toClient : toNode, TagLength);
        sendDirection = side == ChannelSide.Client ? (byte)1 : (byte)2;
        CryptographicOperations.ZeroMemory(keys);
    }

    /// <summary>The node at the other (or this) end.</summary>
    public string NodeId { get; }

    /// <summary>The login session the channel belongs to.</summary>
    public byte[] SessionId { get; }

    /// <summary>The counter of the last message sealed (0: none yet).</summary>
    public ulong Sent => Interlocked.Read(ref sent);

    /// <summary>The counter of the last message accepted from the other end (0: none yet).</summary>
    public ulong Received => Interlocked.Read(ref received);

    /// <summary>Derives one end of the channel from the OPAQUE session key (which the caller keeps or wipes).</summary>
    public static SecureChannel Open(ReadOnlySpan<byte> sessionKey, string nodeId, byte[] sessionId, ChannelSide side)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentNullException.ThrowIfNull(sessionId);
        return new SecureChannel(nodeId, sessionId, side, DeriveKeys(sessionKey, nodeId, sessionId));
    }

    /// <summary>
    /// Reopens one end of a channel whose state was kept elsewhere (a wallet's session file): the keys
    /// from the session key as in <see cref="Open"/>, and the counters where the previous holder left
    /// them. A counter must never be sealed twice under one key (AES-GCM would leak the plaintexts' XOR
    /// and its authentication key), so <paramref name="sent"/> must be at least the last counter any
    /// earlier holder sealed; a holder that records <paramref name="sendLimit"/> before it sends can
    /// crash at any point and the next one still starts above every counter used.
    /// </summary>
    /// <param name="sessionKey">The OPAQUE session key with this node.</param>
    /// <param name="nodeId">The node.</param>
    /// <param name="sessionId">The login session.</param>
    /// <param name="side">This end.</param>
    /// <param name="sent">The last counter sealed before.</param>
    /// <param name="received">The last counter accepted before.</param>
    /// <param name="sendLimit">The highest counter this instance may seal; beyond it <see cref="Seal"/> fails with <see cref="ChannelError.Exhausted"/>.</param>
    public static SecureChannel Resume(ReadOnlySpan<byte> sessionKey, string nodeId, byte[] sessionId, ChannelSide side, ulong sent, ulong received, ulong sendLimit = ulong.MaxValue)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentOutOfRangeException.ThrowIfLessThan(sendLimit, sent);
        return new SecureChannel(nodeId, sessionId, side, DeriveKeys(sessionKey, nodeId, sessionId), sent, received, sendLimit);
    }

    /// <summary>Seals <paramref name="message"/> as the next message in this direction.</summary>
    public ChannelEnvelope Seal(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (closed)
        {
            throw new ChannelException(ChannelError.Closed);
        }

        var counter = Interlocked.Increment(ref sent); // a nonce is never reused, even by callers racing on one channel
        if (counter > sendLimit || counter == 0)
        {
            throw new ChannelException(ChannelError.Exhausted);
        }

        var plaintext = message.ToByteArray();
        var output = new byte[plaintext.Length + TagLength];
        sending.Encrypt(Nonce(sendDirection, counter), plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length), AssociatedData(sendDirection, counter));
        CryptographicOperations.ZeroMemory(plaintext);
        return new ChannelEnvelope { NodeId = NodeId, SessionId = ByteString.CopyFrom(SessionId), Counter = counter, Ciphertext = ByteString.CopyFrom(output) };
    }

    /// <summary>Opens the next message from the other end.</summary>
    /// <exception cref="ChannelException">Wrong session, replayed or reordered, forged, or malformed; the channel state is unchanged.</exception>
    public T Open<T>(ChannelEnvelope envelope, MessageParser<T> parser)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(envelope);
        ArgumentNullException.ThrowIfNull(parser);
        if (closed)
        {
            throw new ChannelException(ChannelError.Closed);
        }

        if (envelope.NodeId != NodeId || !CryptographicOperations.FixedTimeEquals(envelope.SessionId.Span, SessionId))
        {
            throw new ChannelException(ChannelError.WrongSession);
        }

        if (envelope.Counter <= received)
        {
            throw new ChannelException(ChannelError.Replayed);
        }

        var data = envelope.Ciphertext.Span;
        if (data.Length < TagLength)
        {
            throw new ChannelException(ChannelError.Forged);
        }

        var receiveDirection = (byte)(3 - sendDirection);
        var plaintext = new byte[data.Length - TagLength];
        try
        {
            receiving.Decrypt(Nonce(receiveDirection, envelope.Counter), data[..^TagLength], data[^TagLength..], plaintext, AssociatedData(receiveDirection, envelope.Counter));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new ChannelException(ChannelError.Forged);
        }

        try
        {
            var message = parser.ParseFrom(plaintext);
            received = envelope.Counter;
            return message;
        }
        catch (InvalidProtocolBufferException)
        {
            throw new ChannelException(ChannelError.Malformed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Closes the channel: every later Seal or Open fails.</summary>
    public void Dispose()
    {
        closed = true;
        sending.Dispose();
        receiving.Dispose();
    }

    /// <summary>Names the session only.</summary>
    public override string ToString() => $"SecureChannel({NodeId}, {Convert.ToHexStringLower(SessionId)})";

    private static byte[] DeriveKeys(ReadOnlySpan<byte> sessionKey, string nodeId, byte[] sessionId)
    {
        var keys = new byte[2 * KeyLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, sessionKey, keys, sessionId, Encoding.UTF8.GetBytes("threshold.channel.v1|" + nodeId));
        return keys;
    }

    private static byte[] Nonce(byte direction, ulong counter)
    {
        var nonce = new byte[12];
        nonce[0] = direction;
        BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), counter);
        return nonce;
    }

    private byte[] AssociatedData(byte direction, ulong counter)
    {
        var node = Encoding.UTF8.GetBytes(NodeId);
        var ad = new byte[2 + node.Length + 1 + SessionId.Length + 1 + 8];
        BinaryPrimitives.WriteUInt16BigEndian(ad, (ushort)node.Length);
        node.CopyTo(ad, 2);
        ad[2 + node.Length] = (byte)SessionId.Length;
        SessionId.CopyTo(ad, 3 + node.Length);
        ad[3 + node.Length + SessionId.Length] = direction;
        BinaryPrimitives.WriteUInt64BigEndian(ad.AsSpan(ad.Length - 8), counter);
        return ad;
    }
}
