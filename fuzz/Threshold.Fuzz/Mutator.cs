namespace Threshold.Fuzz;

/// <summary>
/// Deterministic mutations of seed inputs (bit flips, interesting bytes, varint-sized edits, block
/// insertion, deletion, duplication and splicing) for the in-process smoke: same seed, same inputs.
/// </summary>
public sealed class Mutator(ulong seed)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x02, 0x7f, 0x80, 0xff, 0xfe, 0x08, 0x0a, 0x10, 0x12, 0x1a, 0x22];

    private ulong state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

    /// <summary>A mutation of one of <paramref name="corpus"/> (or of random bytes when it is empty).</summary>
    public byte[] Next(IReadOnlyList<byte[]> corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var data = corpus.Count == 0 ? RandomBytes(Below(64)) : [.. corpus[Below(corpus.Count)]];
        var rounds = 1 + Below(4);
        for (var i = 0; i < rounds; i++)
        {
            data = Mutate(data, corpus);
        }

        return data;
    }

    private byte[] Mutate(byte[] data, IReadOnlyList<byte[]> corpus)
    {
        var list = new List<byte>(data);
        switch (Below(8))
        {
            case 0 when list.Count > 0:
                var bit = Below(list.Count * 8);
                list[bit / 8] ^= (byte)(1 << (bit % 8));
                break;
            case 1 when list.Count > 0:
                list[Below(list.Count)] = Interesting[Below(Interesting.Length)];
                break;
            case 2 when list.Count > 0:
                list[Below(list.Count)] = (byte)Next();
                break;
            case 3:
                list.InsertRange(Below(list.Count + 1), RandomBytes(1 + Below(16)));
                break;
            case 4 when list.Count > 0:
                var start = Below(list.Count);
                list.RemoveRange(start, 1 + Below(Math.Min(32, list.Count - start)));
                break;
            case 5 when list.Count > 0:
                var from = Below(list.Count);
                var length = 1 + Below(Math.Min(64, list.Count - from));
                list.InsertRange(Below(list.Count + 1), list.GetRange(from, length));
                break;
            case 6 when corpus.Count > 0:
                var other = corpus[Below(corpus.Count)];
                var cut = Below(list.Count + 1);
                list.RemoveRange(cut, list.Count - cut);
                list.AddRange(other.Skip(Below(other.Length + 1)));
                break;
            case 7 when list.Count > 0:
                // A large varint where a length prefix or size may be: probes allocation before validation.
                list.InsertRange(Below(list.Count), [0xff, 0xff, 0xff, 0xff, 0x0f]);
                break;
            default:
                list.Add((byte)Next());
                break;
        }

        return [.. list];
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++)
        {
            bytes[i] = (byte)Next();
        }

        return bytes;
    }

    private int Below(int bound) => bound <= 1 ? 0 : (int)(Next() % (ulong)bound);

    // xorshift64*: tiny, deterministic, good enough to pick mutations.
    private ulong Next()
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD1DUL;
    }
}
