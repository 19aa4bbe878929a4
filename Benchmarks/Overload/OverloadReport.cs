using System.Globalization;
using System.Text;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>Formats the runs of one variant as an aligned console table, markdown and CSV: a row per contender and run, then the medians.</summary>
internal static class OverloadReport
{
    private static readonly string[] Headers =
    [
        "run", "contender", "calls", "unloaded p50 ms", "unloaded p99 ms", "2× success", "2× goodput ×cap", "2× server attempts/s ×cap",
        "2× p99 ms (ok)", "2× refused locally", "2× refused share", "recovery s", "breaker opened", "first opening s into 2× (why)", "load max lag ms",
    ];

    public static string Table(IReadOnlyList<OverloadRun> runs) => TextTable.Aligned(Headers, Rows(runs, csv: false));

    public static string Csv(IReadOnlyList<OverloadRun> runs) => TextTable.Csv(Headers, Rows(runs, csv: true));

    /// <summary>The whole markdown report of one variant: what ran, the results and how to read them.</summary>
    public static string Markdown(IReadOnlyList<OverloadRun> runs, double scale, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var first = runs[0].Scenario;
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Overload run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, {Environment.ProcessorCount} cores, scale {scale}, variant {first.Variant.Name}, {runs.Count} run(s) with seeds {string.Join(", ", runs.Select(r => r.Scenario.Seed))}, {elapsed.TotalMinutes:0.0} min.")
            .AppendLine()
            .AppendLine(first.Describe())
            .AppendLine()
            .Append(TextTable.Markdown(Headers, Rows(runs, csv: false), textColumns: 2))
            .AppendLine()
            .AppendLine("2× columns count the calls started during the overload, except goodput (successful calls that ended during it, per second) and server attempts/s (attempts the server received during it); both ÷ capacity. "
                + "Refused locally: failed calls of which no attempt left the client. Recovery: from the drop to the start of the first 1 s window with ≥ 99 % of its calls successful. "
                + "First opening: when the breaker first opened, in seconds from the start of the overload (negative: before it), and why. "
                + "Load max lag: how late the load generator started its latest call against the schedule; the calls it owed then start at once, in a burst.");
        var notStarted = runs.SelectMany(r => r.Results).Where(r => r.NotStarted > 0).ToList();
        if (notStarted.Count > 0)
        {
            _ = text.AppendLine()
                .AppendLine(CultureInfo.InvariantCulture, $"Not open loop: {string.Join(", ", notStarted.Select(r => $"{r.Contender.Name} left {r.NotStarted} calls unstarted"))} (more than {OverloadScenario.MaxInFlight} in flight).");
        }

        return text.ToString();
    }

    /// <summary>One line for the console as a contender finishes.</summary>
    public static string Line(OverloadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return string.Join("  ", Cells(result, csv: false).Select((cell, i) => $"{Headers[i + 1]} {cell}").Skip(1).Prepend(result.Contender.Name))
            + (result.NotStarted > 0 ? $"  NOT STARTED {result.NotStarted}" : string.Empty);
    }

    private static List<string[]> Rows(IReadOnlyList<OverloadRun> runs, bool csv)
    {
        var rows = runs.SelectMany(run => run.Results.Select(r => (Label: Int(run.Number), Result: r))).ToList();
        if (runs.Count > 1)
        {
            rows.AddRange(runs.SelectMany(run => run.Results).GroupBy(r => r.Contender.Name).Select(g => ("median", OverloadResult.Median([.. g]))));
        }

        return [.. rows.Select(row => (string[])[row.Label, .. Cells(row.Result, csv)])];
    }

    private static string[] Cells(OverloadResult r, bool csv) =>
    [
        r.Contender.Name,
        Int(r.Calls),
        Ms(r.UnloadedP50),
        Ms(r.UnloadedP99),
        Percent(r.OverloadSuccess, csv),
        Ratio(r.Goodput),
        Ratio(r.ServerLoad),
        Ms(r.OverloadP99),
        Int(r.RefusedLocally),
        Percent(r.RefusedShare, csv),
        r.Recovery is { } recovery ? Seconds(recovery) : csv ? string.Empty : "never",
        r.Contender.HasBreaker ? Int(r.BreakerOpenings) : csv ? string.Empty : "–",
        FirstOpening(r, csv),
        Ms(r.MaxLag),
    ];

    private static string FirstOpening(OverloadResult r, bool csv) => r.FirstOpening is { } opening
        ? Seconds(opening) + (csv || r.FirstOpeningReason is null ? string.Empty : $" ({r.FirstOpeningReason})")
        : csv ? string.Empty : r.Contender.HasBreaker ? "never" : "–";

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Ratio(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Percent(double value, bool csv) =>
        csv ? value.ToString("0.0000", CultureInfo.InvariantCulture) : value.ToString("0.0%", CultureInfo.InvariantCulture);
}
