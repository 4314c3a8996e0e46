using System.Text;

namespace Threshold.Rpc.Wire;

/// <summary>
/// The <c>grpc-message</c> encoding: UTF-8, then percent-encoding of every byte outside 0x20-0x7E and
/// of '%' itself. Decoding never fails: broken escapes are kept as they are.
/// </summary>
internal static class StatusMessage
{
    public static string Encode(string message)
    {
        if (message.All(c => c is >= ' ' and <= '~' and not '%'))
        {
            return message;
        }

        var builder = new StringBuilder(message.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(Convert.ToHexString([b]));
            }
        }

        return builder.ToString();
    }

    public static string Decode(string? wire)
    {
        // Header values are ASCII; anything else is passed through untouched.
        if (string.IsNullOrEmpty(wire) || !wire.Contains('%', StringComparison.Ordinal) || !Ascii.IsValid(wire))
        {
            return wire ?? string.Empty;
        }

        var bytes = new List<byte>(wire.Length);
        for (var i = 0; i < wire.Length; i++)
        {
            if (wire[i] == '%' && i + 2 < wire.Length && IsHex(wire[i + 1]) && IsHex(wire[i + 2]))
            {
                bytes.Add(Convert.FromHexString(wire.AsSpan(i + 1, 2))[0]);
                i += 2;
            }
            else
            {
                bytes.Add((byte)wire[i]);
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
