using System.Globalization;
using Grpc.Core;

namespace ResilientGrpc.Server.Chaos;

/// <summary>Reads <see cref="ChaosOptions"/> from configuration, collecting every problem before it throws.</summary>
internal static class ChaosOptionsParser
{
    public static ChaosOptions Parse(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new ChaosOptions();
        var problems = new List<ChaosConfigurationProblem>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var given = new Dictionary<string, string>(StringComparer.Ordinal);

        void Read(string variable, Func<string, string?> apply)
        {
            var raw = configuration[variable];
            if (string.IsNullOrWhiteSpace(raw))
            {
                return;
            }

            given[variable] = raw;
            var requirement = apply(raw.Trim());
            if (requirement is not null)
            {
                problems.Add(new(variable, raw, requirement));
                failed.Add(variable);
            }
        }

        Read(ChaosVariables.Mode, s => bool.TryParse(s, out var b) ? Set(() => options.Enabled = b) : "must be true or false");
        Read(ChaosVariables.ErrorRate, s => TryParseRate(s, out var r) ? Set(() => options.ErrorRate = r) : "must be a number between 0 and 1");
        Read(ChaosVariables.ErrorCodes, s => ParseCodes(s, options));
        Read(ChaosVariables.HangRate, s => TryParseRate(s, out var r) ? Set(() => options.HangRate = r) : "must be a number between 0 and 1");
        Read(ChaosVariables.HangSeconds, s => ChaosDuration.TryParse(s, out var d) ? Set(() => options.HangDuration = d) : ChaosDuration.Allowed);
        Read(ChaosVariables.OutageEvery, s => ChaosDuration.TryParse(s, out var d) ? Set(() => options.OutageEvery = d) : ChaosDuration.Allowed);
        Read(ChaosVariables.OutageFor, s => ChaosDuration.TryParse(s, out var d) ? Set(() => options.OutageFor = d) : ChaosDuration.Allowed);
        Read(ChaosVariables.Seed, s => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed)
            ? Set(() => options.Seed = seed)
            : "must be a whole number (32-bit integer)");
        Read(ChaosVariables.PerRequest, s => bool.TryParse(s, out var b) ? Set(() => options.PerRequestDecisions = b) : "must be true or false");
        Read(ChaosVariables.CapacityHandlers, s => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? Set(() => options.CapacityHandlers = n)
            : $"must be a whole number of handlers between 1 and {ChaosOptions.MaxCapacityHandlers}");
        Read(ChaosVariables.ServiceTime, s => ChaosDuration.TryParse(s, out var d) ? Set(() => options.ServiceTime = d) : ChaosDuration.Allowed);
        Read(ChaosVariables.ServiceTimeVariation, s => TryParseName(s, out ServiceTimeVariation v) ? Set(() => options.ServiceTimeVariation = v) : "must be constant or exponential");
        Read(ChaosVariables.CapacityOverflow, s => TryParseName(s, out CapacityOverflow o) ? Set(() => options.Overflow = o) : "must be shed or queue");

        // The capacity settings mean nothing without handlers: a forgotten CHAOS_CAPACITY_HANDLERS would leave them unused.
        if (!given.ContainsKey(ChaosVariables.CapacityHandlers))
        {
            foreach (var variable in new[] { ChaosVariables.ServiceTime, ChaosVariables.ServiceTimeVariation, ChaosVariables.CapacityOverflow })
            {
                if (given.TryGetValue(variable, out var raw) && !failed.Contains(variable))
                {
                    problems.Add(new(variable, raw, $"applies only in capacity mode: set {ChaosVariables.CapacityHandlers} too"));
                    failed.Add(variable);
                }
            }
        }

        // Sent verbatim as a trailer value, so it is neither trimmed nor, when empty, taken as unset:
        // a blank or padded value is reported by CollectProblems instead of being silently changed.
        options.ErrorPushback = configuration[ChaosVariables.ErrorPushback];

        var parsed = problems.Count;
        options.CollectProblems(problems, failed);
        for (var i = parsed; i < problems.Count; i++)
        {
            // Show the value as the user wrote it, not as it was normalised.
            if (given.TryGetValue(problems[i].Variable, out var raw))
            {
                problems[i] = problems[i] with { Value = raw };
            }
        }

        if (problems.Count > 0)
        {
            throw new ChaosConfigurationException(problems);
        }

        return options;
    }

    private static string? Set(Action apply)
    {
        apply();
        return null;
    }

    /// <summary>Parses an enum member by its name in any case; unlike <see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>, never a number.</summary>
    private static bool TryParseName<T>(string s, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(candidate.ToString(), s, StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static bool TryParseRate(string s, out double rate) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out rate) && double.IsFinite(rate);

    private static string? ParseCodes(string s, ChaosOptions options)
    {
        var names = s.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var codes = new List<StatusCode>();
        var unknown = new List<string>();
        foreach (var name in names)
        {
            if (ChaosStatusCodes.TryParse(name, out var code))
            {
                codes.Add(code);
            }
            else
            {
                unknown.Add(name);
            }
        }

        if (unknown.Count > 0)
        {
            return $"unknown status name(s) {string.Join(", ", unknown)}; allowed: {ChaosStatusCodes.AllowedNames}";
        }

        options.ErrorCodes = codes;
        return null;
    }
}
