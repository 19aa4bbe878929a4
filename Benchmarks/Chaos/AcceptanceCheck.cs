using System.Globalization;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>
/// The bar our default stack's breaker is judged by, run by run: flaky-phase success at most 2 points below the same run's
/// <see cref="Contender.OursRetryOnly"/> (the breaker may cost little where retries alone do well), at most 25 server
/// calls during the outage, the first local rejection at most 0.5 s after the outage starts, and recovery success ≥ 85 %.
/// The bounds are set for the full-length phases (<c>--scale 1</c>).
/// </summary>
public static class AcceptanceCheck
{
    /// <summary>How far below retry-only's flaky-phase success ours may fall: 2 percentage points.</summary>
    public const double FlakyMargin = 0.02;

    /// <summary>The most server calls ours may send into the 8 s outage.</summary>
    public const long MaxServerCallsInOutage = 25;

    /// <summary>The lowest recovery-phase success ours may have.</summary>
    public const double MinRecoverySuccess = 0.85;

    /// <summary>The latest the first local rejection may come after the outage starts.</summary>
    public static readonly TimeSpan MaxFirstRejection = TimeSpan.FromSeconds(0.5);

    private static readonly string[] Headers =
    [
        "run", "flaky ok ≥ retry-only − 2 pts", "server calls in outage ≤ 25", "first local rejection ≤ 500 ms", "recovery ok ≥ 85 %", "verdict",
    ];

    /// <summary>The check of every run as an aligned table, for the console.</summary>
    public static string Table(IReadOnlyList<ChaosRun> runs) => Title(runs) + TextTable.Aligned(Headers, Rows(runs));

    /// <summary>The check of every run as a markdown table.</summary>
    public static string Markdown(IReadOnlyList<ChaosRun> runs) => Title(runs) + Environment.NewLine + TextTable.Markdown(Headers, Rows(runs), textColumns: Headers.Length);

    private static string Title(IReadOnlyList<ChaosRun> runs) =>
        $"Acceptance of {Contender.OursDefault} (profile {runs[0].Scenario.Profile.Name}):" + Environment.NewLine;

    private static List<string[]> Rows(IReadOnlyList<ChaosRun> runs) =>
        [.. runs.Select(run => run.Of(Contender.OursDefault) is { } ours
            ? Row(run.Number, ours, run.Of(Contender.OursRetryOnly))
            : [Int(run.Number), "not run", "not run", "not run", "not run", "–"])];

    private static string[] Row(int run, ContenderResult ours, ContenderResult? retryOnly)
    {
        var floor = retryOnly?.FlakySuccessRate - FlakyMargin;
        (bool? Pass, string Cell)[] checks =
        [
            (floor is { } bar ? ours.FlakySuccessRate >= bar : null, floor is { } f
                ? $"{Percent(ours.FlakySuccessRate)} vs ≥ {Percent(f)}"
                : $"{Percent(ours.FlakySuccessRate)}, {Contender.OursRetryOnly} not run"),
            (ours.ServerCallsInOutage <= MaxServerCallsInOutage, Int(ours.ServerCallsInOutage)),
            (ours.OutageToFailFast <= MaxFirstRejection, ours.OutageToFailFast is { } t ? Ms(t) : "never"),
            (ours.RecoverySuccessRate >= MinRecoverySuccess, Percent(ours.RecoverySuccessRate)),
        ];
        var verdict = checks.Any(c => c.Pass == false) ? "FAIL" : checks.All(c => c.Pass == true) ? "PASS" : "incomplete";
        return [Int(run), .. checks.Select(c => c.Cell + (c.Pass switch { true => " PASS", false => " FAIL", null => " (not judged)" })), verdict];
    }

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0 'ms'", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.0 %", CultureInfo.InvariantCulture);
}
