using System.Buffers.Binary;

namespace Threshold.Storage.Internal;

/// <summary>
/// An incremental multiset MAC over the live rows (records and queue items): the sum, modulo 2^256,
/// of a keyed 256-bit tag of each row (kind, place, version and sealed bytes). Adding or removing a row
/// updates it in constant time; since the tags are pseudorandom to anyone without the storage key, a
/// database whose rows differ in any way (a row added, removed, restored from an older copy, altered)
/// sums to a different value except with negligible probability. It is kept inside the sealed state.
/// </summary>
internal readonly struct Inventory : IEquatable<Inventory>
{
    public const int Size = 32;

    // Little-endian limbs: a0 is the least significant 64 bits.
    private readonly ulong a0, a1, a2, a3;

    private Inventory(ulong a0, ulong a1, ulong a2, ulong a3)
    {
        this.a0 = a0;
        this.a1 = a1;
        this.a2 = a2;
        this.a3 = a3;
    }

    public static Inventory Empty => default;

    public static Inventory FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new FormatException("inventory digest length");
        }

        return new Inventory(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]));
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, a0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), a1);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), a2);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), a3);
        return bytes;
    }

    public Inventory Add(Inventory other)
    {
        var r0 = unchecked(a0 + other.a0);
        var c = r0 < a0 ? 1UL : 0UL;
        var (r1, c1) = AddWithCarry(a1, other.a1, c);
        var (r2, c2) = AddWithCarry(a2, other.a2, c1);
        var (r3, _) = AddWithCarry(a3, other.a3, c2);
        return new Inventory(r0, r1, r2, r3);
    }

    public Inventory Subtract(Inventory other) => Add(other.Negate());

    public bool Equals(Inventory other) => a0 == other.a0 && a1 == other.a1 && a2 == other.a2 && a3 == other.a3;

    public override bool Equals(object? obj) => obj is Inventory other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(a0, a1, a2, a3);

    private Inventory Negate() => new Inventory(~a0, ~a1, ~a2, ~a3).Add(new Inventory(1, 0, 0, 0));

    private static (ulong Sum, ulong Carry) AddWithCarry(ulong x, ulong y, ulong carry)
    {
        var s = unchecked(x + y);
        var c = s < x ? 1UL : 0UL;
        var t = unchecked(s + carry);
        c += t < s ? 1UL : 0UL;
        return (t, c);
    }
}
