using System.Globalization;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// The <c>overload</c> command's arguments: <c>--variant shed|queue|shed-varying|queue-varying|all</c> (several separated by
/// commas; default <c>shed,queue</c>), <c>--runs N</c> (default 1), <c>--only NAME[,NAME]</c> (contender names of
/// <see cref="OverloadContenders.All"/>), <c>--scale F</c> (phase lengths ×F, default 1; the rates and the policy stay).
/// </summary>
internal sealed record OverloadArguments(IReadOnlyList<OverloadVariant> Variants, int Runs, IReadOnlyList<OverloadContender> Contenders, double Scale)
{
    /// <summary>Parses <paramref name="args"/>; on a bad value or an unknown option, <paramref name="error"/> names it and what it allows.</summary>
    public static bool TryParse(string[] args, out OverloadArguments? arguments, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var problems = new List<string>();
        string[] known = ["--variant", "--runs", "--only", "--scale"];
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!known.Contains(args[i]))
            {
                problems.Add($"unknown option '{args[i]}' (options: {string.Join(", ", known)}, each followed by its value).");
                break;
            }
        }

        var variants = Parse(args, "--variant", OverloadVariant.Default, ParseVariants, string.Join(", ", OverloadVariant.All.Select(v => v.Name)) + " or all (several separated by commas)", problems);
        var runs = Parse(args, "--runs", 1, s => (int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1, v), "a whole number of at least 1", problems);
        var contenders = Parse(args, "--only", OverloadContenders.All, ParseContenders, "contender names separated by commas: " + string.Join(", ", OverloadContenders.All.Select(c => c.Name)), problems);
        var scale = Parse(args, "--scale", 1.0, s => (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v), v), "a number greater than 0", problems);
        arguments = problems.Count == 0 ? new OverloadArguments(variants, runs, contenders, scale) : null;
        error = problems.Count == 0 ? null : "overload: " + string.Join(" ", problems);
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

    private static (bool Ok, IReadOnlyList<OverloadVariant> Value) ParseVariants(string names)
    {
        var parts = names.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Any(p => string.Equals(p, "all", StringComparison.OrdinalIgnoreCase)))
        {
            return (true, OverloadVariant.All);
        }

        var variants = OverloadVariant.All.Where(v => parts.Contains(v.Name, StringComparer.OrdinalIgnoreCase)).ToArray();
        return (variants.Length > 0 && variants.Length == parts.Distinct(StringComparer.OrdinalIgnoreCase).Count(), variants);
    }

    private static (bool Ok, IReadOnlyList<OverloadContender> Value) ParseContenders(string names)
    {
        var parts = names.Split(',', StringSplitOptions.TrimEntries);
        var contenders = OverloadContenders.All.Where(c => parts.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).ToArray();
        return (contenders.Length > 0 && contenders.Length == parts.Distinct(StringComparer.OrdinalIgnoreCase).Count(), contenders);
    }
}
