using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Threshold.Rpc.Wire;

/// <summary>
/// gRPC's length-prefixed message: one byte compressed-flag, a 4-byte big-endian length, the message.
/// Only identity encoding is supported, so the flag is always 0 on what we send.
/// </summary>
internal static class GrpcFrame
{
    public const int HeaderSize = 5;

    /// <summary>Writes <paramref name="message"/> as one frame of known size.</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message, int size)
    {
        var span = writer.GetSpan(HeaderSize + size);
        span[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..HeaderSize], (uint)size);
        message.WriteTo(span.Slice(HeaderSize, size));
        writer.Advance(HeaderSize + size);
    }

    /// <summary>The frame of <paramref name="message"/> as one array.</summary>
    public static byte[] ToArray(IMessage message, int size)
    {
        var frame = new byte[HeaderSize + size];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)size);
        message.WriteTo(frame.AsSpan(HeaderSize));
        return frame;
    }

    /// <summary>
    /// Reads the stream to its end and returns its single message. Framing faults become
    /// <see cref="RpcException"/>: INTERNAL for malformed or extra frames, UNIMPLEMENTED for a
    /// compressed frame in an encoding we lack, RESOURCE_EXHAUSTED when the message exceeds
    /// <paramref name="maxMessageSize"/> (detected from the header, before the message is buffered).
    /// </summary>
    /// <param name="reader">The request or response body.</param>
    /// <param name="maxMessageSize">The largest message accepted, in bytes.</param>
    /// <param name="encoding">The declared <c>grpc-encoding</c> (null or "identity": none).</param>
    /// <param name="what">"request" or "response", for the status messages.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    public static async ValueTask<byte[]> ReadSingleAsync(
        PipeReader reader, int maxMessageSize, string? encoding, string what, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            byte[]? message;
            try
            {
                message = Examine(buffer, result.IsCompleted, maxMessageSize, encoding, what);
            }
            catch (RpcException)
            {
                reader.AdvanceTo(buffer.Start); // leave the reader consistent for whoever completes it
                throw;
            }

            if (message is not null)
            {
                reader.AdvanceTo(buffer.End);
                return message;
            }

            // Nothing consumed yet: keep the bytes, but ask for more than we have.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The message when the body is complete and well-formed; null when more bytes are needed.</summary>
    private static byte[]? Examine(ReadOnlySequence<byte> buffer, bool complete, int maxMessageSize, string? encoding, string what)
    {
        if (buffer.Length < HeaderSize)
        {
            return !complete ? null
                : buffer.Length == 0 ? throw Error(RpcStatusCode.Internal, $"no {what} message")
                : throw Error(RpcStatusCode.Internal, $"truncated {what} frame header");
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        switch (header[0])
        {
            case 0:
                break;
            case 1 when encoding is null or "identity":
                throw Error(RpcStatusCode.Internal, $"compressed {what} frame without a grpc-encoding");
            case 1:
                throw Error(RpcStatusCode.Unimplemented, "unsupported grpc-encoding; supported: identity");
            default:
                throw Error(RpcStatusCode.Internal, $"invalid compressed-flag in {what} frame");
        }

        if (length > (uint)maxMessageSize)
        {
            throw Error(RpcStatusCode.ResourceExhausted, $"{what} message of {length} bytes exceeds the limit of {maxMessageSize}");
        }

        var end = HeaderSize + (long)length;
        if (buffer.Length > end)
        {
            throw Error(RpcStatusCode.Internal, $"more than one {what} message in a unary call");
        }

        if (!complete)
        {
            return null;
        }

        return buffer.Length < end
            ? throw Error(RpcStatusCode.Internal, $"truncated {what} message: {buffer.Length - HeaderSize} of {length} bytes")
            : buffer.Slice(HeaderSize).ToArray();
    }

    private static RpcException Error(RpcStatusCode code, string detail) => new(code, detail);
}
