using System.Globalization;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>
/// The <c>soak</c> command's arguments: <c>--minutes N</c>, how long the soak runs after its one-minute warm-up (default 15,
/// at most 24 h); <c>--rate N</c>, the unary calls started per second (default 50, at most 1,000).
/// </summary>
internal sealed record SoakArguments(int Minutes, int Rate)
{
    private const int MaxMinutes = 24 * 60;
    private const int MaxRate = 1000;

    /// <summary>Parses <paramref name="args"/>; on a bad value or an unknown option, <paramref name="error"/> names every problem.</summary>
    public static bool TryParse(string[] args, out SoakArguments? arguments, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, int>(StringComparer.Ordinal) { ["--minutes"] = 15, ["--rate"] = 50 };
        var limits = new Dictionary<string, int>(StringComparer.Ordinal) { ["--minutes"] = MaxMinutes, ["--rate"] = MaxRate };
        var problems = new List<string>();
        for (var i = 0; i < args.Length; i += 2)
        {
            var name = args[i];
            var text = i + 1 < args.Length ? args[i + 1] : null;
            if (!limits.TryGetValue(name, out var max))
            {
                problems.Add($"unknown option '{name}' (allowed: --minutes N, --rate N).");
            }
            else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
            {
                values[name] = value;
            }
            else
            {
                problems.Add($"{name} must be a whole number from 1 to {max} (got '{text ?? "nothing"}').");
            }
        }

        arguments = problems.Count == 0 ? new SoakArguments(values["--minutes"], values["--rate"]) : null;
        error = problems.Count == 0 ? null : "soak: " + string.Join(" ", problems);
        return arguments is not null;
    }
}
