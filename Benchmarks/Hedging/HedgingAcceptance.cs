using System.Globalization;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>
/// The bars our hedging is judged by, run by run. Profile <c>hang</c>: success at least the best peer's (the higher of
/// Polly's and grpc-dotnet's), and p99 at most the best peer's (the lower) + 10 %. Profile <c>pushback</c>: ours sends
/// no hedge after the server's stop pushback (1.00 attempts per call), and the report says whether grpc-dotnet did.
/// </summary>
public static class HedgingAcceptance
{
    /// <summary>How much above the best peer's p99 ours may be: 10 %.</summary>
    public const double P99Margin = 0.10;

    private static readonly HedgingContender[] Peers = [HedgingContender.PollyHedging, HedgingContender.GrpcHedging];

    /// <summary>The check of every run as an aligned table, for the console.</summary>
    public static string Table(IReadOnlyList<HedgingRun> runs) => Title(runs) + TextTable.Aligned(Headers(runs), Rows(runs));

    /// <summary>The check of every run as a markdown table.</summary>
    public static string Markdown(IReadOnlyList<HedgingRun> runs) =>
        Title(runs) + Environment.NewLine + TextTable.Markdown(Headers(runs), Rows(runs), textColumns: Headers(runs).Length);

    private static string Title(IReadOnlyList<HedgingRun> runs) =>
        $"Acceptance of {HedgingContender.OursHedging} (profile {runs[0].Scenario.Profile.Name}):" + Environment.NewLine;

    private static bool IsPushback(IReadOnlyList<HedgingRun> runs) => runs[0].Scenario.Profile == HedgingProfile.Pushback;

    private static string[] Headers(IReadOnlyList<HedgingRun> runs) => IsPushback(runs)
        ? ["run", "ours: no hedge after a stop pushback (1.00 attempts/call)", "grpc-dotnet attempts/call", "Polly attempts/call", "verdict"]
        : ["run", "success ≥ best peer's", "p99 ≤ best peer's + 10 %", "verdict"];

    private static List<string[]> Rows(IReadOnlyList<HedgingRun> runs) =>
        [.. runs.Select(run => run.Of(HedgingContender.OursHedging) is { } ours
            ? IsPushback(runs) ? PushbackRow(run, ours) : HangRow(run, ours)
            : [Int(run.Number), .. Enumerable.Repeat("not run", Headers(runs).Length - 2), "–"])];

    private static string[] HangRow(HedgingRun run, HedgingResult ours)
    {
        var peers = Peers.Select(run.Of).OfType<HedgingResult>().ToArray();
        if (peers.Length == 0)
        {
            return [Int(run.Number), "no peer ran (not judged)", "no peer ran (not judged)", "incomplete"];
        }

        var bestSuccess = peers.MaxBy(p => p.SuccessRate)!;
        var bestP99 = peers.MinBy(p => p.P99)!;
        var p99Bar = bestP99.P99 * (1 + P99Margin);
        (bool Pass, string Cell)[] checks =
        [
            (ours.SuccessRate >= bestSuccess.SuccessRate, $"{Percent(ours.SuccessRate)} vs ≥ {Percent(bestSuccess.SuccessRate)} ({bestSuccess.Contender})"),
            (ours.P99 <= p99Bar, $"{Ms(ours.P99)} vs ≤ {Ms(p99Bar)} ({bestP99.Contender} {Ms(bestP99.P99)})"),
        ];
        return [Int(run.Number), .. checks.Select(c => c.Cell + (c.Pass ? " PASS" : " FAIL")), checks.All(c => c.Pass) ? "PASS" : "FAIL"];
    }

    private static string[] PushbackRow(HedgingRun run, HedgingResult ours)
    {
        var stops = ours.AttemptsPerCall <= 1.0;
        return
        [
            Int(run.Number),
            ours.AttemptsPerCall.ToString("0.00", CultureInfo.InvariantCulture) + (stops ? " PASS" : " FAIL"),
            Attempts(run.Of(HedgingContender.GrpcHedging)),
            Attempts(run.Of(HedgingContender.PollyHedging)),
            stops ? "PASS" : "FAIL",
        ];
    }

    private static string Attempts(HedgingResult? result) => result is null
        ? "not run"
        : result.AttemptsPerCall.ToString("0.00", CultureInfo.InvariantCulture) + (result.AttemptsPerCall > 1.0 ? " (kept hedging)" : " (stopped)");

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0.0 'ms'", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.0 %", CultureInfo.InvariantCulture);
}
