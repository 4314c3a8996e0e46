using System.Text.RegularExpressions;

namespace Threshold.Storage.Internal;

/// <summary>Argument checks for the identifiers the store accepts (see <see cref="IKeyStore"/>).</summary>
internal static partial class Names
{
    public const int MaxIdLength = 256;
    public const int MaxDetailsLength = 4096;
    public const int MaxPayloadLength = 16 * 1024 * 1024;

    public static void Table(string table, string parameter = "table")
    {
        ArgumentNullException.ThrowIfNull(table, parameter);
        if (!TablePattern().IsMatch(table))
        {
            throw new ArgumentException("a table name is 1-64 of [a-z0-9_.-] starting with a letter", parameter);
        }
    }

    public static void Kind(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (!KindPattern().IsMatch(kind))
        {
            throw new ArgumentException("an audit kind is 1-64 of [A-Za-z0-9_.-] starting with a letter", nameof(kind));
        }
    }

    public static void Id(string value, string parameter, bool allowEmpty = false)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if ((!allowEmpty && value.Length == 0) || value.Length > MaxIdLength)
        {
            throw new ArgumentException($"must be {(allowEmpty ? 0 : 1)}-{MaxIdLength} characters", parameter);
        }

        Text(value, parameter);
    }

    public static void Details(string details)
    {
        ArgumentNullException.ThrowIfNull(details);
        if (details.Length > MaxDetailsLength)
        {
            throw new ArgumentException($"at most {MaxDetailsLength} characters", nameof(details));
        }

        Text(details, nameof(details), allowLineBreaks: true);
    }

    public static void Payload(ReadOnlyMemory<byte> payload, string parameter = "payload")
    {
        if (payload.Length > MaxPayloadLength)
        {
            throw new ArgumentException($"at most {MaxPayloadLength} bytes", parameter);
        }
    }

    private static void Text(string value, string parameter, bool allowLineBreaks = false)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                throw new ArgumentException("contains an unpaired surrogate", parameter);
            }
            else if (char.IsControl(c) && !(allowLineBreaks && c is '\n' or '\r' or '\t'))
            {
                throw new ArgumentException("contains a control character", parameter);
            }
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_.-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TablePattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex KindPattern();
}
