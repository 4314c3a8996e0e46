using System.Globalization;

namespace Threshold.Rpc.Wire;

/// <summary>The <c>grpc-timeout</c> header: at most 8 ASCII digits and a unit (H, M, S, m, u, n).</summary>
internal static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    /// <summary>
    /// Parses a header value. False when malformed; <paramref name="timeout"/> is null when the value
    /// is too long to matter (beyond what a timer can wait, about 49 days).
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan? timeout)
    {
        timeout = null;
        if (text is null || text.Length is < 2 or > 9)
        {
            return false;
        }

        var digits = text.AsSpan(0, text.Length - 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        var value = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        TimeSpan? parsed = text[^1] switch
        {
            'H' => TimeSpan.FromHours(value),
            'M' => TimeSpan.FromMinutes(value),
            'S' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMilliseconds(value),
            'u' => TimeSpan.FromMicroseconds(value),
            'n' => TimeSpan.FromTicks(value / 100),
            _ => null,
        };
        if (parsed is null)
        {
            return false;
        }

        timeout = parsed.Value.TotalMilliseconds < uint.MaxValue - 1 ? parsed : null;
        return true;
    }

    /// <summary>Formats a positive timeout in the finest unit that fits in 8 digits, rounding up.</summary>
    public static string Format(TimeSpan timeout)
    {
        var ticks = Math.Max(timeout.Ticks, 1);
        var micros = Ceiling(ticks, TimeSpan.TicksPerMicrosecond);
        if (micros <= MaxValue)
        {
            return Invariant(micros, 'u');
        }

        var millis = Ceiling(ticks, TimeSpan.TicksPerMillisecond);
        if (millis <= MaxValue)
        {
            return Invariant(millis, 'm');
        }

        var seconds = Ceiling(ticks, TimeSpan.TicksPerSecond);
        return seconds <= MaxValue ? Invariant(seconds, 'S') : Invariant(Math.Min(Ceiling(ticks, TimeSpan.TicksPerHour), MaxValue), 'H');
    }

    private static long Ceiling(long ticks, long unit) => (ticks + unit - 1) / unit;

    private static string Invariant(long value, char unit) => value.ToString(CultureInfo.InvariantCulture) + unit;
}
