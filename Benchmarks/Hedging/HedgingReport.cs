using System.Globalization;
using System.Text;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>Formats the runs of one hedging profile as an aligned console table, markdown and CSV: a row per contender and run, then the medians.</summary>
public static class HedgingReport
{
    private static readonly string[] Headers =
    [
        "run", "contender", "calls", "shed", "success", "p50 ms", "p90 ms", "p99 ms", "max ms", "attempts/call", "abandoned at server", "breaker opened",
        "first local rejection ms",
    ];

    /// <summary>One line on the load, the profile and the policy of <paramref name="scenario"/>.</summary>
    public static string Describe(HedgingScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var policy = scenario.Policy;
        var deadline = scenario.CallerDeadline is { } d
            ? FormattableString.Invariant($"Every caller sets a {d.TotalMilliseconds} ms deadline; ")
            : "Callers set no deadline; ";
        return FormattableString.Invariant($"{scenario.CallsPerSecond} calls/s (at most {scenario.MaxInFlight} in flight) for {scenario.Profile.Duration.TotalSeconds} s; ")
            + FormattableString.Invariant($"profile {scenario.Profile.Name}: {scenario.Profile.Description}. ")
            + deadline
            + FormattableString.Invariant($"hedging: {policy.MaxAttempts} attempts, {scenario.HedgeDelay.TotalMilliseconds} ms apart, UNAVAILABLE non-fatal; ")
            + FormattableString.Invariant($"attempt deadline {policy.AttemptTimeout.TotalMilliseconds} ms (ours and Polly).");
    }

    public static string Table(IReadOnlyList<HedgingRun> runs) => TextTable.Aligned(Headers, Rows(runs, csv: false));

    public static string Csv(IReadOnlyList<HedgingRun> runs) => TextTable.Csv(Headers, Rows(runs, csv: true));

    /// <summary>The whole markdown report of one profile: what ran, the results and the acceptance check.</summary>
    public static string Markdown(IReadOnlyList<HedgingRun> runs, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var first = runs[0].Scenario;
        return new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Chaos run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, {Environment.ProcessorCount} cores, profile {first.Profile.Name}, {runs.Count} run(s) with seeds {string.Join(", ", runs.Select(r => r.Scenario.Seed))}, {elapsed.TotalMinutes:0.0} min.")
            .AppendLine()
            .AppendLine(Describe(first))
            .AppendLine()
            .Append(TextTable.Markdown(Headers, Rows(runs, csv: false), textColumns: 2))
            .AppendLine()
            .Append(HedgingAcceptance.Markdown(runs))
            .ToString();
    }

    /// <summary>Each run's results labelled with its number, then the median of each contender when there are several runs.</summary>
    private static List<(string Run, HedgingResult Result)> Labelled(IReadOnlyList<HedgingRun> runs)
    {
        var rows = runs.SelectMany(run => run.Results.Select(r => (Int(run.Number), r))).ToList();
        if (runs.Count > 1)
        {
            rows.AddRange(runs.SelectMany(run => run.Results).GroupBy(r => r.Contender).Select(g => ("median", HedgingResult.Median([.. g]))));
        }

        return rows;
    }

    private static List<string[]> Rows(IReadOnlyList<HedgingRun> runs, bool csv)
    {
        var profile = runs[0].Scenario.Profile;
        return [.. Labelled(runs).Select(row => new[]
        {
            row.Run,
            row.Result.Contender.ToString(),
            Int(row.Result.Calls),
            Int(row.Result.Shed),
            csv ? row.Result.SuccessRate.ToString("0.0000", CultureInfo.InvariantCulture) : row.Result.SuccessRate.ToString("0.0%", CultureInfo.InvariantCulture),
            Ms(row.Result.P50),
            Ms(row.Result.P90),
            Ms(row.Result.P99),
            Ms(row.Result.Max),
            row.Result.AttemptsPerCall.ToString("0.00", CultureInfo.InvariantCulture),
            Int(row.Result.ServerAbandoned),
            HedgingClient.HasBreaker(row.Result.Contender, profile) ? Int(row.Result.BreakerOpenings) : csv ? string.Empty : "–",
            row.Result.FirstLocalRejection is { } first ? Ms(first) : csv ? string.Empty : "never",
        })];
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
}
