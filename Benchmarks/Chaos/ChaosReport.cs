using System.Globalization;
using System.Text;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>Formats the runs of one flaky profile as an aligned console table, markdown and CSV: a row per contender and run, then the medians.</summary>
public static class ChaosReport
{
    private static readonly string[] Headers =
    [
        "run", "contender", "calls", "shed", "success", "flaky ok", "recovery ok", "p50 ms", "p99 ms", "max ms", "bound ms",
        "outage p50 ms", "attempts/call", "server calls in outage", "outage→fail-fast ms", "recovery→healthy ms",
        "breaker opened (flaky)", "breaker opened (all)",
    ];

    private static readonly string[] HandlerHeaders =
    [
        "run", "calls", "attempts/call (server)", "handler attempts", "attempts it saw fail", "retries", "timeouts", "breaker opened",
    ];

    /// <summary>The longest a logical call may take under each contender's policy (null: unbounded).</summary>
    public static double? BoundMs(Contender contender, ChaosScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var p = scenario.Policy;
        return contender switch
        {
            Contender.Bare => null,
            Contender.GrpcBuiltInRetry or Contender.StandardResilienceHandler => p.AttemptTimeout.TotalMilliseconds,
            _ => (p.MaxAttempts * p.AttemptTimeout.TotalMilliseconds)
                + (Enumerable.Range(0, p.MaxAttempts - 1).Sum(n => Math.Min(
                    p.InitialBackoff.TotalMilliseconds * Math.Pow(p.BackoffMultiplier, n), p.MaxBackoff.TotalMilliseconds)) * 1.2),
        };
    }

    /// <summary>One line on the load, the phases, the profile and the policy of <paramref name="scenario"/>.</summary>
    public static string Describe(ChaosScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var policy = scenario.Policy;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{scenario.CallsPerSecond} calls/s (at most {scenario.MaxInFlight} in flight), phases flaky {scenario.Flaky.TotalSeconds} s "
            + $"(profile {scenario.Profile}), outage {scenario.Outage.TotalSeconds} s, recovery {scenario.Recovery.TotalSeconds} s. "
            + $"Policy: {policy.AttemptTimeout.TotalMilliseconds} ms attempt deadline, {policy.MaxAttempts} attempts, "
            + $"{policy.InitialBackoff.TotalMilliseconds} ms → {policy.InitialBackoff.TotalMilliseconds * policy.BackoffMultiplier} ms backoff, "
            + $"breaker {policy.FailureThreshold} / {policy.BreakDuration.TotalSeconds} s.");
    }

    public static string Table(IReadOnlyList<ChaosRun> runs) => TextTable.Aligned(Headers, Rows(runs, csv: false));

    public static string Csv(IReadOnlyList<ChaosRun> runs) => TextTable.Csv(Headers, Rows(runs, csv: true));

    /// <summary>The standard resilience handler's own telemetry, run by run (null when it did not run).</summary>
    public static string? HandlerTable(IReadOnlyList<ChaosRun> runs) =>
        HandlerRows(runs) is { Count: > 0 } rows ? TextTable.Aligned(HandlerHeaders, rows) : null;

    /// <summary>The whole markdown report of one profile: what ran, the results, the handler's telemetry and the acceptance check.</summary>
    public static string Markdown(IReadOnlyList<ChaosRun> runs, double scale, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var first = runs[0].Scenario;
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Chaos run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, {Environment.ProcessorCount} cores, scale {scale}, profile {first.Profile.Name}, {runs.Count} run(s) with seeds {string.Join(", ", runs.Select(r => r.Scenario.Seed))}, {elapsed.TotalMinutes:0.0} min.")
            .AppendLine()
            .AppendLine(Describe(first))
            .AppendLine()
            .Append(TextTable.Markdown(Headers, Rows(runs, csv: false), textColumns: 2));
        if (HandlerRows(runs) is { Count: > 0 } handler)
        {
            _ = text.AppendLine()
                .AppendLine("StandardResilienceHandler as its own telemetry (Polly's meter) saw it, from the flaky phase on:")
                .AppendLine()
                .Append(TextTable.Markdown(HandlerHeaders, handler));
        }

        return text.AppendLine().Append(AcceptanceCheck.Markdown(runs)).ToString();
    }

    /// <summary>Each run's results labelled with its number, then the median of each contender when there are several runs.</summary>
    private static List<(string Run, ContenderResult Result)> Labelled(IReadOnlyList<ChaosRun> runs)
    {
        var rows = runs.SelectMany(run => run.Results.Select(r => (Int(run.Number), r))).ToList();
        if (runs.Count > 1)
        {
            rows.AddRange(runs.SelectMany(run => run.Results).GroupBy(r => r.Contender).Select(g => ("median", ContenderMedian.Of([.. g]))));
        }

        return rows;
    }

    private static List<string[]> Rows(IReadOnlyList<ChaosRun> runs, bool csv)
    {
        var scenario = runs[0].Scenario;
        return [.. Labelled(runs).Select(row => new[]
        {
            row.Run,
            row.Result.Contender.ToString(),
            Int(row.Result.Calls),
            Int(row.Result.Shed),
            Percent(row.Result.SuccessRate, csv),
            Percent(row.Result.FlakySuccessRate, csv),
            Percent(row.Result.RecoverySuccessRate, csv),
            Ms(row.Result.P50),
            Ms(row.Result.P99),
            Ms(row.Result.Max),
            BoundMs(row.Result.Contender, scenario) is { } bound ? bound.ToString("0", CultureInfo.InvariantCulture) : csv ? string.Empty : "none",
            Ms(row.Result.OutageP50),
            row.Result.AttemptsPerCall.ToString("0.00", CultureInfo.InvariantCulture),
            Int(row.Result.ServerCallsInOutage),
            row.Result.OutageToFailFast is { } f ? Ms(f) : csv ? string.Empty : "never",
            Ms(row.Result.RecoveryToHealthy),
            Breaker(row.Result.Contender, row.Result.FlakyBreakerOpenings, csv),
            Breaker(row.Result.Contender, row.Result.BreakerOpenings, csv),
        })];
    }

    private static List<string[]> HandlerRows(IReadOnlyList<ChaosRun> runs) =>
        [.. Labelled(runs).Where(row => row.Result.Handler is not null).Select(row =>
        {
            var (result, handler) = (row.Result, row.Result.Handler!.Value);
            return new[]
            {
                row.Run, Int(result.Calls), result.AttemptsPerCall.ToString("0.00", CultureInfo.InvariantCulture), Int(handler.Attempts),
                Int(handler.HandledAttempts), Int(handler.Retries), Int(handler.Timeouts), Int(result.BreakerOpenings),
            };
        })];

    private static string Breaker(Contender contender, long openings, bool csv) =>
        ContenderClient.HasBreaker(contender)
            ? openings.ToString(CultureInfo.InvariantCulture)
            : csv ? string.Empty : "–";

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Percent(double value, bool csv) =>
        csv ? value.ToString("0.0000", CultureInfo.InvariantCulture) : value.ToString("0.0%", CultureInfo.InvariantCulture);
}
