namespace Threshold.Storage.Internal;

/// <summary>
/// The node's sealed state row: the state version, the <see cref="Inventory"/> of live rows, the next
/// queue sequence number and the audit head. <see cref="Sealed"/> is the exact value stored, which the
/// store compares with the database before every mutation.
/// </summary>
internal sealed record NodeState(long Version, Inventory Inventory, long NextItem, long AuditCount, byte[] AuditHead)
{
    private const string Tag = "threshold.storage.state.v1";

    public static readonly byte[] GenesisHash = new byte[32];

    public static NodeState Genesis => new(0, Inventory.Empty, 1, 0, GenesisHash);

    public byte[] Sealed { get; init; } = [];

    public byte[] Encode() =>
        new CanonicalWriter(Tag)
            .Int64(Version)
            .Bytes(Inventory.ToBytes())
            .Int64(NextItem)
            .Int64(AuditCount)
            .Bytes(AuditHead)
            .ToArray();

    public static NodeState Decode(ReadOnlySpan<byte> encoding)
    {
        var reader = new CanonicalReader(encoding, Tag);
        var version = reader.Int64();
        var inventory = Inventory.FromBytes(reader.Bytes());
        var nextItem = reader.Int64();
        var auditCount = reader.Int64();
        var auditHead = reader.Bytes().ToArray();
        if (!reader.AtEnd || auditHead.Length != 32)
        {
            throw new FormatException("node state encoding");
        }

        return new NodeState(version, inventory, nextItem, auditCount, auditHead);
    }
}
