using System.Globalization;
using System.Text;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>Formats the results of a chaos run as an aligned console table, markdown and CSV.</summary>
public static class ChaosReport
{
    private static readonly string[] Headers =
    [
        "contender", "calls", "shed", "success", "flaky ok", "recovery ok", "p50 ms", "p99 ms", "max ms", "bound ms",
        "outage p50 ms", "attempts/call", "server calls in outage", "outage→fail-fast ms", "recovery→healthy ms",
        "breaker opened (flaky)", "breaker opened (all)",
    ];

    /// <summary>The longest a logical call may take under each contender's policy (null: unbounded).</summary>
    public static double? BoundMs(Contender contender, ChaosScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var p = scenario.Policy;
        return contender switch
        {
            Contender.Bare => null,
            Contender.GrpcBuiltInRetry => p.AttemptTimeout.TotalMilliseconds,
            _ => (p.MaxAttempts * p.AttemptTimeout.TotalMilliseconds)
                + (Enumerable.Range(0, p.MaxAttempts - 1).Sum(n => Math.Min(
                    p.InitialBackoff.TotalMilliseconds * Math.Pow(p.BackoffMultiplier, n), p.MaxBackoff.TotalMilliseconds)) * 1.2),
        };
    }

    public static string Table(IReadOnlyList<ContenderResult> results, ChaosScenario scenario)
    {
        var rows = Rows(results, scenario);
        var widths = Headers.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        _ = text.AppendLine(string.Join("  ", Headers.Select((h, i) => h.PadLeft(widths[i]))));
        foreach (var row in rows)
        {
            _ = text.AppendLine(string.Join("  ", row.Select((c, i) => c.PadLeft(widths[i]))));
        }

        return text.ToString();
    }

    public static string Markdown(IReadOnlyList<ContenderResult> results, ChaosScenario scenario)
    {
        var text = new StringBuilder();
        _ = text.AppendLine("| " + string.Join(" | ", Headers) + " |");
        _ = text.AppendLine("|" + string.Concat(Headers.Select((_, i) => i == 0 ? "---|" : "---:|")));
        foreach (var row in Rows(results, scenario))
        {
            _ = text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        return text.ToString();
    }

    public static string Csv(IReadOnlyList<ContenderResult> results, ChaosScenario scenario)
    {
        var text = new StringBuilder();
        _ = text.AppendLine(string.Join(",", Headers.Select(h => h.Replace(' ', '_').Replace("→", "_to_", StringComparison.Ordinal).Replace("/", "_per_", StringComparison.Ordinal))));
        foreach (var row in Rows(results, scenario, csv: true))
        {
            _ = text.AppendLine(string.Join(",", row));
        }

        return text.ToString();
    }

    private static List<string[]> Rows(IReadOnlyList<ContenderResult> results, ChaosScenario scenario, bool csv = false) =>
        [.. results.Select(r => new[]
        {
            r.Contender.ToString(),
            Int(r.Calls),
            Int(r.Shed),
            Percent(r.SuccessRate, csv),
            Percent(r.FlakySuccessRate, csv),
            Percent(r.RecoverySuccessRate, csv),
            Ms(r.P50),
            Ms(r.P99),
            Ms(r.Max),
            BoundMs(r.Contender, scenario) is { } bound ? bound.ToString("0", CultureInfo.InvariantCulture) : csv ? string.Empty : "none",
            Ms(r.OutageP50),
            r.AttemptsPerCall.ToString("0.00", CultureInfo.InvariantCulture),
            r.ServerCallsInOutage.ToString(CultureInfo.InvariantCulture),
            r.OutageToFailFast is { } f ? Ms(f) : csv ? string.Empty : "never",
            Ms(r.RecoveryToHealthy),
            Breaker(r.Contender, r.FlakyBreakerOpenings, csv),
            Breaker(r.Contender, r.BreakerOpenings, csv),
        })];

    private static string Breaker(Contender contender, long openings, bool csv) =>
        contender is Contender.Polly or Contender.Ours
            ? openings.ToString(CultureInfo.InvariantCulture)
            : csv ? string.Empty : "–";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Percent(double value, bool csv) =>
        csv ? value.ToString("0.0000", CultureInfo.InvariantCulture) : value.ToString("0.0%", CultureInfo.InvariantCulture);
}
