// RFC 9807 §5.1 and §6.1 messages are fixed-length concatenations; this reader checks the total
// length once and hands out the fields in order.
namespace Threshold.Opaque.Messages;

/// <summary>Splits a fixed-length message into its fields; a wrong total length is a typed error.</summary>
internal ref struct MessageReader
{
    private ReadOnlySpan<byte> remaining;

    public MessageReader(ReadOnlySpan<byte> data, int expectedLength, string message)
    {
        if (data.Length != expectedLength)
        {
            throw new DecodingException(DecodingError.Malformed, message);
        }

        remaining = data;
    }

    public ReadOnlySpan<byte> Take(int length)
    {
        var field = remaining[..length];
        remaining = remaining[length..];
        return field;
    }
}
