using System.Globalization;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>
/// The <c>chaos</c> command's arguments: <c>--scale F</c> multiplies the phase lengths (default 1: 15 s + 8 s + 10 s per
/// contender); <c>--profile mixed|unavailable|all</c> picks the flaky profiles (default mixed); <c>--runs N</c> repeats the
/// whole set N times (default 1); <c>--only NAME[,NAME]</c> runs only the named contenders; <c>--log-breaker</c> prints our
/// breaker's transitions.
/// </summary>
internal sealed record ChaosArguments(double Scale, IReadOnlyList<FlakyProfile> Profiles, int Runs, IReadOnlyList<Contender> Contenders, bool LogBreaker)
{
    /// <summary>Parses <paramref name="args"/>; on a bad value, <paramref name="error"/> names the setting and what it allows.</summary>
    public static bool TryParse(string[] args, out ChaosArguments? arguments, out string? error)
    {
        var problems = new List<string>();
        var scale = Parse(args, "--scale", 1.0, s => (double.TryParse(s, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v), v), "a number greater than 0", problems);
        var profiles = Parse(args, "--profile", [FlakyProfile.Mixed], s => FlakyProfile.Parse(s) is { } p ? (true, p) : (false, []), "mixed, unavailable or all", problems);
        var runs = Parse(args, "--runs", 1, s => (int.TryParse(s, CultureInfo.InvariantCulture, out var v) && v >= 1, v), "a whole number of at least 1", problems);
        var contenders = Parse(args, "--only", Enum.GetValues<Contender>(), ParseContenders, "contender names separated by commas: " + string.Join(", ", Enum.GetNames<Contender>()), problems);
        arguments = problems.Count == 0 ? new ChaosArguments(scale, profiles, runs, contenders, args.Contains("--log-breaker")) : null;
        error = problems.Count == 0 ? null : "chaos: " + string.Join(" ", problems);
        return arguments is not null;
    }

    private static T Parse<T>(string[] args, string name, T fallback, Func<string, (bool Ok, T Value)> parse, string allowed, List<string> problems)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0)
        {
            return fallback;
        }

        var text = index + 1 < args.Length ? args[index + 1] : null;
        if (text is not null && parse(text) is (true, var value))
        {
            return value;
        }

        problems.Add($"{name} must be {allowed} (got '{text ?? "nothing"}').");
        return fallback;
    }

    private static (bool Ok, Contender[] Value) ParseContenders(string names)
    {
        var parsed = names.Split(',').Select(n => Enum.TryParse<Contender>(n.Trim(), ignoreCase: true, out var c) && Enum.IsDefined(c) ? c : (Contender?)null).ToArray();
        return (parsed.All(c => c is not null), [.. Enum.GetValues<Contender>().Where(c => parsed.Contains(c))]);
    }
}
