using System.Globalization;

namespace ResilientGrpc.Server.Chaos;

/// <summary>Parses and formats the durations of the chaos settings: <c>5</c>, <c>5s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>.</summary>
internal static class ChaosDuration
{
    public const string Allowed = "must be a non-negative duration such as 5, 5s, 500ms, 2m or 1h (a bare number is seconds)";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        var s = text.Trim();
        var (number, unitMilliseconds) = Split(s);
        if (number.Length == 0
            || !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value))
        {
            return false;
        }

        var milliseconds = value * unitMilliseconds;
        if (milliseconds > TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    public static string Format(TimeSpan duration)
    {
        if (duration.Ticks % TimeSpan.TicksPerSecond == 0)
        {
            return ((long)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        }

        return duration.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    private static (string Number, double UnitMilliseconds) Split(string s)
    {
        if (s.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            return (s[..^2], 1);
        }

        if (s.EndsWith('s') || s.EndsWith('S'))
        {
            return (s[..^1], 1_000);
        }

        if (s.EndsWith('m') || s.EndsWith('M'))
        {
            return (s[..^1], 60_000);
        }

        if (s.EndsWith('h') || s.EndsWith('H'))
        {
            return (s[..^1], 3_600_000);
        }

        return (s, 1_000);
    }
}
