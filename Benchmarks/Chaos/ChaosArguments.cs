using System.Globalization;
using ResilientGrpc.Benchmarks.Hedging;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>
/// The <c>chaos</c> command's arguments: <c>--scale F</c> multiplies the phase lengths (default 1: 15 s + 8 s + 10 s per
/// contender); <c>--profile mixed|unavailable|hang|pushback|all</c> picks the profiles, several separated by commas
/// (default mixed; <c>hang</c> and <c>pushback</c> are the hedging profiles, which <c>--scale</c> leaves as they are);
/// <c>--runs N</c> repeats the whole set N times (default 1); <c>--only NAME[,NAME]</c> runs only the named contenders
/// (of either profile kind); <c>--log-breaker</c> prints our breaker's transitions.
/// </summary>
internal sealed record ChaosArguments(
    double Scale,
    IReadOnlyList<FlakyProfile> Profiles,
    IReadOnlyList<HedgingProfile> HedgingProfiles,
    int Runs,
    IReadOnlyList<Contender> Contenders,
    IReadOnlyList<HedgingContender> HedgingContenders,
    bool LogBreaker)
{
    private const string ProfileNames = "mixed, unavailable, hang, pushback, hang-breaker, outage-hedged or all (several separated by commas)";

    /// <summary>Parses <paramref name="args"/>; on a bad value, <paramref name="error"/> names the setting and what it allows.</summary>
    public static bool TryParse(string[] args, out ChaosArguments? arguments, out string? error)
    {
        var problems = new List<string>();
        var scale = Parse(args, "--scale", 1.0, s => (double.TryParse(s, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v), v), "a number greater than 0", problems);
        var profiles = Parse(args, "--profile", (Flaky: (IReadOnlyList<FlakyProfile>)[FlakyProfile.Mixed], Hedging: (IReadOnlyList<HedgingProfile>)[]), ParseProfiles, ProfileNames, problems);
        var runs = Parse(args, "--runs", 1, s => (int.TryParse(s, CultureInfo.InvariantCulture, out var v) && v >= 1, v), "a whole number of at least 1", problems);
        var contenders = Parse(
            args,
            "--only",
            (Flaky: Enum.GetValues<Contender>(), Hedging: Enum.GetValues<HedgingContender>()),
            ParseContenders,
            "contender names separated by commas: " + string.Join(", ", [.. Enum.GetNames<Contender>(), .. Enum.GetNames<HedgingContender>()]),
            problems);
        arguments = problems.Count == 0
            ? new ChaosArguments(scale, profiles.Flaky, profiles.Hedging, runs, contenders.Flaky, contenders.Hedging, args.Contains("--log-breaker"))
            : null;
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

    private static (bool Ok, (IReadOnlyList<FlakyProfile> Flaky, IReadOnlyList<HedgingProfile> Hedging) Value) ParseProfiles(string names)
    {
        var parts = names.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => string.Equals(p, "all", StringComparison.OrdinalIgnoreCase)))
        {
            return (true, (FlakyProfile.All, HedgingProfile.All));
        }

        var flaky = FlakyProfile.All.Where(p => parts.Contains(p.Name, StringComparer.OrdinalIgnoreCase)).ToArray();
        var hedging = HedgingProfile.All.Where(p => parts.Contains(p.Name, StringComparer.OrdinalIgnoreCase)).ToArray();
        return (flaky.Length + hedging.Length == parts.Distinct(StringComparer.OrdinalIgnoreCase).Count(), (flaky, hedging));
    }

    private static (bool Ok, (Contender[] Flaky, HedgingContender[] Hedging) Value) ParseContenders(string names)
    {
        var parts = names.Split(',', StringSplitOptions.TrimEntries);
        var flaky = Enum.GetValues<Contender>().Where(c => parts.Contains(c.ToString(), StringComparer.OrdinalIgnoreCase)).ToArray();
        var hedging = Enum.GetValues<HedgingContender>().Where(c => parts.Contains(c.ToString(), StringComparer.OrdinalIgnoreCase)).ToArray();
        return (flaky.Length + hedging.Length == parts.Distinct(StringComparer.OrdinalIgnoreCase).Count(), (flaky, hedging));
    }
}
