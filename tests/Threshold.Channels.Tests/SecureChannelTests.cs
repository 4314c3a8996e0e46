using System.Security.Cryptography;
using Google.Protobuf;
using Threshold.Contracts.V1;

namespace Threshold.Channels.Tests;

public sealed class SecureChannelTests
{
    private static readonly byte[] SessionKey = RandomNumberGenerator.GetBytes(64);
    private static readonly byte[] SessionId = RandomNumberGenerator.GetBytes(16);

    private static (SecureChannel Client, SecureChannel Node) Pair(string node = "node-1") =>
        (SecureChannel.Open(SessionKey, node, SessionId, ChannelSide.Client), SecureChannel.Open(SessionKey, node, SessionId, ChannelSide.Node));

    private static ChannelRequest Request(string keyId) => new()
    {
        RequestId = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(16)),
        Sign = new SignOperation { KeyId = keyId, Digest = ByteString.CopyFrom(new byte[32]) },
    };

    [Fact]
    public void MessagesFlowBothWays()
    {
        var (client, node) = Pair();
        var request = Request("k1");
        Assert.Equal(request, node.Open(client.Seal(request), ChannelRequest.Parser));
        var reply = new ChannelReply { RequestId = request.RequestId, Accepted = true };
        Assert.Equal(reply, client.Open(node.Seal(reply), ChannelReply.Parser));
        Assert.Equal(request, node.Open(client.Seal(request), ChannelRequest.Parser));
    }

    [Fact]
    public void ReplayedAndReorderedMessagesAreRefused()
    {
        var (client, node) = Pair();
        var first = client.Seal(Request("a"));
        var second = client.Seal(Request("b"));
        node.Open(second, ChannelRequest.Parser);
        Assert.Equal(ChannelError.Replayed, Assert.Throws<ChannelException>(() => node.Open(first, ChannelRequest.Parser)).Error);
        Assert.Equal(ChannelError.Replayed, Assert.Throws<ChannelException>(() => node.Open(second, ChannelRequest.Parser)).Error);
    }

    [Fact]
    public void TamperedOrReflectedMessagesAreForged()
    {
        var (client, node) = Pair();
        var envelope = client.Seal(Request("a"));
        var bytes = envelope.Ciphertext.ToByteArray();
        bytes[3] ^= 1;
        Assert.Equal(ChannelError.Forged, Assert.Throws<ChannelException>(() => node.Open(envelope.Clone().With(c => c.Ciphertext = ByteString.CopyFrom(bytes)), ChannelRequest.Parser)).Error);
        Assert.Equal(ChannelError.Forged, Assert.Throws<ChannelException>(() => node.Open(envelope.Clone().With(c => c.Counter = 7), ChannelRequest.Parser)).Error);

        // A client message sent back to the client (reflection) does not open under the other direction's key.
        Assert.Equal(ChannelError.Forged, Assert.Throws<ChannelException>(() => client.Open(client.Seal(Request("x")), ChannelRequest.Parser)).Error);

        // The genuine message still opens: nothing was accepted from the failures.
        node.Open(envelope, ChannelRequest.Parser);
    }

    [Fact]
    public void OtherSessionsAndNodesAreRefused()
    {
        var (client, _) = Pair("node-1");
        var (_, otherNode) = Pair("node-2");
        var envelope = client.Seal(Request("a"));
        Assert.Equal(ChannelError.WrongSession, Assert.Throws<ChannelException>(() => otherNode.Open(envelope, ChannelRequest.Parser)).Error);
        var relabelled = envelope.Clone().With(e => e.NodeId = "node-2");
        Assert.Equal(ChannelError.Forged, Assert.Throws<ChannelException>(() => otherNode.Open(relabelled, ChannelRequest.Parser)).Error);
        var otherSession = SecureChannel.Open(SessionKey, "node-1", RandomNumberGenerator.GetBytes(16), ChannelSide.Node);
        Assert.Equal(ChannelError.WrongSession, Assert.Throws<ChannelException>(() => otherSession.Open(envelope, ChannelRequest.Parser)).Error);
    }

    [Fact]
    public void AnotherSessionKeyCannotOpen()
    {
        var client = SecureChannel.Open(SessionKey, "node-1", SessionId, ChannelSide.Client);
        var node = SecureChannel.Open(RandomNumberGenerator.GetBytes(64), "node-1", SessionId, ChannelSide.Node);
        Assert.Equal(ChannelError.Forged, Assert.Throws<ChannelException>(() => node.Open(client.Seal(Request("a")), ChannelRequest.Parser)).Error);
    }

    [Fact]
    public void ClosedChannelsRefuseEverything()
    {
        var (client, node) = Pair();
        var envelope = client.Seal(Request("a"));
        node.Dispose();
        Assert.Equal(ChannelError.Closed, Assert.Throws<ChannelException>(() => node.Open(envelope, ChannelRequest.Parser)).Error);
        Assert.Equal(ChannelError.Closed, Assert.Throws<ChannelException>(() => node.Seal(new ChannelReply())).Error);
    }

    [Fact]
    public void AResumedChannelContinuesWhereItsStateWasKept()
    {
        var (client, node) = Pair();
        var request = Request("a");
        node.Open(client.Seal(request), ChannelRequest.Parser);
        client.Open(node.Seal(new ChannelReply { RequestId = request.RequestId }), ChannelReply.Parser);
        Assert.Equal((1ul, 1ul), (client.Sent, client.Received));
        var oldReply = node.Seal(new ChannelReply { RequestId = request.RequestId });
        client.Dispose();

        // A wallet reopens its end from its session file, reserving two counters beyond the last one used.
        var resumed = SecureChannel.Resume(SessionKey, "node-1", SessionId, ChannelSide.Client, sent: 1, received: 2, sendLimit: 3);
        Assert.Equal(ChannelError.Replayed, Assert.Throws<ChannelException>(() => resumed.Open(oldReply, ChannelReply.Parser)).Error);
        var second = resumed.Seal(Request("b"));
        Assert.Equal(2ul, second.Counter);
        Assert.Equal("b", node.Open(second, ChannelRequest.Parser).Sign.KeyId);
        Assert.Equal(3ul, resumed.Seal(Request("c")).Counter);
        Assert.Equal(ChannelError.Exhausted, Assert.Throws<ChannelException>(() => resumed.Seal(Request("d"))).Error);
        Assert.Throws<ArgumentOutOfRangeException>(() => SecureChannel.Resume(SessionKey, "node-1", SessionId, ChannelSide.Client, sent: 5, received: 0, sendLimit: 4));
    }
}

internal static class EnvelopeExtensions
{
    public static ChannelEnvelope With(this ChannelEnvelope envelope, Action<ChannelEnvelope> change)
    {
        change(envelope);
        return envelope;
    }
}
