namespace Threshold.Adversary;

/// <summary>
/// Changes one field of a protobuf payload, wherever it sits: the payload is read as wire format,
/// a field is picked (descending into nested messages, such as a proof inside a round message), and
/// its value is altered — a bit flipped, emptied, truncated, lengthened, replaced by random bytes, or
/// an integer moved by one. No schema is needed, so every field of every message can be reached.
/// </summary>
public static class ProtobufMutator
{
    private const int MaxDepth = 4;

    /// <summary>A copy of <paramref name="payload"/> with one field altered (random bytes if it is not protobuf or empty).</summary>
    public static byte[] Mutate(byte[] payload, Random random)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(random);
        return MutateMessage(payload, random, MaxDepth) ?? RandomBytes(random, random.Next(1, 64));
    }

    private static byte[]? MutateMessage(byte[] payload, Random random, int depth)
    {
        var fields = Parse(payload);
        if (fields is null || fields.Count == 0)
        {
            return null;
        }

        var index = random.Next(fields.Count);
        var (tag, wireType, value) = fields[index];
        byte[] mutated;
        if (wireType == 0)
        {
            var number = ReadVarint(value, 0, out _);
            mutated = WriteVarint(random.Next(2) == 0 ? number + 1 : (number == 0 ? 1 : number - 1));
        }
        else if (wireType == 2)
        {
            var inner = depth > 0 && random.Next(3) != 0 ? MutateMessage(value, random, depth - 1) : null;
            mutated = inner ?? MutateBytes(value, random);
        }
        else
        {
            mutated = MutateBytes(value, random);
            Array.Resize(ref mutated, value.Length); // fixed-width fields keep their width
        }

        fields[index] = (tag, wireType, mutated);
        return Write(fields);
    }

    private static byte[] MutateBytes(byte[] value, Random random)
    {
        var copy = (byte[])value.Clone();
        switch (random.Next(value.Length == 0 ? 2 : 6))
        {
            case 0:
                return RandomBytes(random, random.Next(1, 48));
            case 1:
                return [.. copy, (byte)random.Next(256)];
            case 2:
                return [];
            case 3:
                return copy[..random.Next(copy.Length)];
            case 4:
                return RandomBytes(random, copy.Length);
            default:
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
        }
    }

    /// <summary>Reads top-level fields, or null if <paramref name="payload"/> is not wire format.</summary>
    private static List<(ulong Tag, int WireType, byte[] Value)>? Parse(byte[] payload)
    {
        var fields = new List<(ulong, int, byte[])>();
        var at = 0;
        try
        {
            while (at < payload.Length)
            {
                var key = ReadVarint(payload, at, out at);
                var wireType = (int)(key & 7);
                if (key >> 3 == 0)
                {
                    return null;
                }

                switch (wireType)
                {
                    case 0:
                        var start = at;
                        ReadVarint(payload, at, out at);
                        fields.Add((key >> 3, 0, payload[start..at]));
                        break;
                    case 1:
                        fields.Add((key >> 3, 1, payload[at..checked(at + 8)]));
                        at += 8;
                        break;
                    case 2:
                        var length = checked((int)ReadVarint(payload, at, out at));
                        fields.Add((key >> 3, 2, payload[at..checked(at + length)]));
                        at += length;
                        break;
                    case 5:
                        fields.Add((key >> 3, 5, payload[at..checked(at + 4)]));
                        at += 4;
                        break;
                    default:
                        return null;
                }
            }
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or OverflowException or IndexOutOfRangeException)
        {
            return null;
        }

        return fields;
    }

    private static byte[] Write(List<(ulong Tag, int WireType, byte[] Value)> fields)
    {
        var output = new List<byte>();
        foreach (var (tag, wireType, value) in fields)
        {
            output.AddRange(WriteVarint((tag << 3) | (uint)wireType));
            if (wireType == 2)
            {
                output.AddRange(WriteVarint((ulong)value.Length));
            }

            output.AddRange(value);
        }

        return [.. output];
    }

    private static ulong ReadVarint(byte[] data, int at, out int next)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                next = at;
                return value;
            }
        }

        throw new OverflowException("varint too long");
    }

    private static byte[] WriteVarint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
