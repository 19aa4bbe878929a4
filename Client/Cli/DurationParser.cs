using System.Globalization;

namespace ResilientGrpc.Client.Cli;

/// <summary>Reads durations such as <c>90s</c>, <c>1.5m</c>, <c>500ms</c>, <c>2h</c>, <c>90</c> (seconds) or <c>00:01:30</c>.</summary>
internal static class DurationParser
{
    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var value = text.Trim();
        if (value.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
        }

        var factor = 1.0;
        foreach (var (suffix, seconds) in Units)
        {
            // "ms" is tried before "s" and "m", so 500ms is never read as 500m or 500 s.
            if (value.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                value = value[..^suffix.Length];
                factor = seconds;
                break;
            }
        }

        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var total = number * factor;
        if (!double.IsFinite(total) || total <= 0 || total > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(total);
        return true;
    }
}
