using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Threshold.Randomness;

/// <summary>
/// A reproducible generator for tests and the network simulator: SHA-256 in counter mode over a seed.
/// <see cref="Fork"/> derives an independent child per party or per purpose, so one seed replays a
/// whole multi-party run. Never use it for real keys: production code takes
/// <see cref="RandomNumberGenerator.Create()"/>.
/// </summary>
public sealed class SeededRandom : RandomNumberGenerator, IForkableRandom
{
    private readonly byte[] seed;
    private readonly byte[] block = new byte[32];
    private readonly Lock gate = new();
    private int used = 32;
    private ulong counter;

    /// <summary>Creates a generator from <paramref name="seed"/> (any bytes).</summary>
    public SeededRandom(ReadOnlySpan<byte> seed) => this.seed = SHA256.HashData(seed);

    /// <summary>Creates a generator from a textual seed, for readable tests.</summary>
    public SeededRandom(string seed)
        : this(Encoding.UTF8.GetBytes(seed ?? throw new ArgumentNullException(nameof(seed))))
    {
    }

    /// <summary>An independent generator for <paramref name="label"/> (for example "party-3").</summary>
    public SeededRandom Fork(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var input = new byte[seed.Length + 5 + Encoding.UTF8.GetByteCount(label)];
        "fork:"u8.CopyTo(input);
        seed.CopyTo(input, 5);
        Encoding.UTF8.GetBytes(label, input.AsSpan(5 + seed.Length));
        return new SeededRandom(input);
    }

    /// <inheritdoc />
    RandomNumberGenerator IForkableRandom.Fork(string label) => Fork(label);

    /// <inheritdoc />
    public override void GetBytes(byte[] data) => GetBytes(data.AsSpan());

    /// <inheritdoc />
    public override void GetBytes(byte[] data, int offset, int count) => GetBytes(data.AsSpan(offset, count));

    /// <inheritdoc />
    public override void GetBytes(Span<byte> data)
    {
        lock (gate)
        {
            var filled = 0;
            Span<byte> input = stackalloc byte[40];
            while (filled < data.Length)
            {
                if (used == block.Length)
                {
                    seed.CopyTo(input);
                    BinaryPrimitives.WriteUInt64BigEndian(input[32..], counter++);
                    SHA256.HashData(input, block);
                    used = 0;
                }

                var take = Math.Min(data.Length - filled, block.Length - used);
                block.AsSpan(used, take).CopyTo(data[filled..]);
                used += take;
                filled += take;
            }
        }
    }

    /// <inheritdoc />
    public override void GetNonZeroBytes(byte[] data) => GetNonZeroBytes(data.AsSpan());

    /// <inheritdoc />
    public override void GetNonZeroBytes(Span<byte> data)
    {
        Span<byte> one = stackalloc byte[1];
        for (var i = 0; i < data.Length; i++)
        {
            do
            {
                GetBytes(one);
            }
            while (one[0] == 0);
            data[i] = one[0];
        }
    }
}
