using System.Collections;

namespace Threshold.Rpc;

/// <summary>One metadata entry: an ASCII text value, or bytes when the key ends in <c>-bin</c>.</summary>
/// <param name="Key">The lower-case key.</param>
/// <param name="Value">The text value (for binary entries: empty).</param>
/// <param name="ValueBytes">The binary value (for text entries: null).</param>
public sealed record RpcMetadataEntry(string Key, string Value, byte[]? ValueBytes)
{
    /// <summary>Whether this is a binary (<c>-bin</c>) entry, sent base64-encoded.</summary>
    public bool IsBinary => ValueBytes is not null;
}

/// <summary>
/// Call metadata: request headers a caller sends, or trailers a handler adds to its reply. Keys are
/// lower-case <c>[0-9a-z_.-]</c>, never <c>grpc-*</c> (reserved); text values are printable ASCII;
/// keys ending in <c>-bin</c> carry bytes (base64 on the wire). A key may repeat.
/// </summary>
public sealed class RpcMetadata : IEnumerable<RpcMetadataEntry>
{
    private const string BinarySuffix = "-bin";
    private readonly List<RpcMetadataEntry> entries = [];

    /// <summary>How many entries there are.</summary>
    public int Count => entries.Count;

    /// <summary>Adds a text entry.</summary>
    /// <param name="key">The key (upper-case letters are lowered); must not end in <c>-bin</c>.</param>
    /// <param name="value">Printable ASCII (0x20 to 0x7E).</param>
    /// <exception cref="ArgumentException">The key or value is not allowed.</exception>
    public RpcMetadata Add(string key, string value)
    {
        key = CheckKey(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key.EndsWith(BinarySuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"metadata key '{key}' ends in -bin and takes a byte value", nameof(key));
        }

        if (!IsPrintableAscii(value))
        {
            throw new ArgumentException($"metadata value for '{key}' must be printable ASCII", nameof(value));
        }

        entries.Add(new RpcMetadataEntry(key, value, null));
        return this;
    }

    /// <summary>Adds a binary entry.</summary>
    /// <param name="key">The key; must end in <c>-bin</c>.</param>
    /// <param name="value">The bytes (copied).</param>
    /// <exception cref="ArgumentException">The key is not allowed.</exception>
    public RpcMetadata Add(string key, ReadOnlySpan<byte> value)
    {
        key = CheckKey(key);
        if (!key.EndsWith(BinarySuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"binary metadata key '{key}' must end in -bin", nameof(key));
        }

        entries.Add(new RpcMetadataEntry(key, string.Empty, value.ToArray()));
        return this;
    }

    /// <summary>The first text value for <paramref name="key"/>, or null.</summary>
    /// <param name="key">The key (case-insensitive).</param>
    public string? GetValue(string key) =>
        entries.FirstOrDefault(e => !e.IsBinary && string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase))?.Value;

    /// <summary>The first binary value for <paramref name="key"/>, or null.</summary>
    /// <param name="key">The key, ending in <c>-bin</c> (case-insensitive).</param>
    public byte[]? GetBytes(string key) =>
        entries.FirstOrDefault(e => e.IsBinary && string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase))?.ValueBytes;

    /// <inheritdoc/>
    public IEnumerator<RpcMetadataEntry> GetEnumerator() => entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Adds an entry read from the wire, skipping (not failing on) anything malformed.</summary>
    internal void AddFromWire(string key, string value)
    {
        key = key.ToLowerInvariant();
        if (!IsValidKey(key))
        {
            return;
        }

        if (!key.EndsWith(BinarySuffix, StringComparison.Ordinal))
        {
            if (IsPrintableAscii(value))
            {
                entries.Add(new RpcMetadataEntry(key, value, null));
            }

            return;
        }

        // Repeated binary headers may arrive joined with commas; each part is base64, padded or not.
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryDecodeBase64(part, out var bytes))
            {
                entries.Add(new RpcMetadataEntry(key, string.Empty, bytes));
            }
        }
    }

    /// <summary>The value as sent in a header: the text, or unpadded base64 for binary entries.</summary>
    internal static string WireValue(RpcMetadataEntry entry) =>
        entry.ValueBytes is { } bytes ? Convert.ToBase64String(bytes).TrimEnd('=') : entry.Value;

    /// <summary>Whether a header is a protocol header rather than application metadata.</summary>
    internal static bool IsReserved(string key) =>
        key.Length == 0 || key[0] == ':' || key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || key.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || key.Equals("te", StringComparison.OrdinalIgnoreCase)
        || key.Equals("host", StringComparison.OrdinalIgnoreCase)
        || key.Equals("connection", StringComparison.OrdinalIgnoreCase)
        || key.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase);

    private static string CheckKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var lowered = key.ToLowerInvariant();
        if (!IsValidKey(lowered))
        {
            throw new ArgumentException($"metadata key '{key}' must be [0-9a-z_.-]+", nameof(key));
        }

        if (IsReserved(lowered))
        {
            throw new ArgumentException($"metadata key '{key}' is reserved for the protocol", nameof(key));
        }

        return lowered;
    }

    private static bool IsValidKey(string key) =>
        key.Length > 0 && key.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'z') or '_' or '-' or '.');

    private static bool IsPrintableAscii(string value) => value.All(c => c is >= ' ' and <= '~');

    private static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        var padded = (text.Length % 4) switch
        {
            2 => text + "==",
            3 => text + "=",
            _ => text,
        };
        bytes = new byte[padded.Length / 4 * 3];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
