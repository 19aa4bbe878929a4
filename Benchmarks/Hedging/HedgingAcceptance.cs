using System.Globalization;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>
/// The bars our hedging is judged by, run by run. Profile <c>hang</c>: success at least the best peer's (the higher of
/// Polly's and grpc-dotnet's), and p99 at most the best peer's (the lower) + 10 %. Profile <c>pushback</c>: ours sends
/// no hedge after the server's stop pushback (1.00 attempts per call), and the report says whether grpc-dotnet did.
/// Profile <c>hang-breaker</c>: the breaker behind hedging never opens. Profile <c>outage-hedged</c>: hedged, the breaker
/// stops an outage within the bounds the flaky profiles set the default stack (at most 25 calls reach the server in 8 s,
/// the first local rejection at most 0.5 s in), as it does without hedging in the same run.
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

    private static HedgingProfile Profile(IReadOnlyList<HedgingRun> runs) => runs[0].Scenario.Profile;

    private static string[] Headers(IReadOnlyList<HedgingRun> runs) => Profile(runs) switch
    {
        var p when p == HedgingProfile.Pushback => ["run", "ours: no hedge after a stop pushback (1.00 attempts/call)", "grpc-dotnet attempts/call", "Polly attempts/call", "verdict"],
        var p when p == HedgingProfile.HangBreaker => ["run", "breaker openings = 0", "success", "verdict"],
        var p when p == HedgingProfile.Outage => ["run", "server calls ≤ 25", "first local rejection ≤ 500 ms", "without hedging (same run)", "verdict"],
        _ => ["run", "success ≥ best peer's", "p99 ≤ best peer's + 10 %", "verdict"],
    };

    private static List<string[]> Rows(IReadOnlyList<HedgingRun> runs) =>
        [.. runs.Select(run => run.Of(HedgingContender.OursHedging) is { } ours
            ? Profile(runs) switch
            {
                var p when p == HedgingProfile.Pushback => PushbackRow(run, ours),
                var p when p == HedgingProfile.HangBreaker => HangBreakerRow(run, ours),
                var p when p == HedgingProfile.Outage => OutageRow(run, ours),
                _ => HangRow(run, ours),
            }
            : [Int(run.Number), .. Enumerable.Repeat("not run", Headers(runs).Length - 2), "–"])];

    private static string[] HangBreakerRow(HedgingRun run, HedgingResult ours)
    {
        var never = ours.BreakerOpenings == 0;
        return [Int(run.Number), Int(ours.BreakerOpenings) + (never ? " PASS" : " FAIL"), Percent(ours.SuccessRate), never ? "PASS" : "FAIL"];
    }

    private static string[] OutageRow(HedgingRun run, HedgingResult ours)
    {
        var calls = ours.ServerCalls <= Chaos.AcceptanceCheck.MaxServerCallsInOutage;
        var first = ours.FirstLocalRejection <= Chaos.AcceptanceCheck.MaxFirstRejection;
        var without = run.Of(HedgingContender.OursWithoutHedging) is { } plain
            ? $"{Int(plain.ServerCalls)} calls, first rejection {(plain.FirstLocalRejection is { } t ? Ms(t) : "never")}"
            : "not run";
        return
        [
            Int(run.Number),
            Int(ours.ServerCalls) + (calls ? " PASS" : " FAIL"),
            (ours.FirstLocalRejection is { } at ? Ms(at) : "never") + (first ? " PASS" : " FAIL"),
            without,
            calls && first ? "PASS" : "FAIL",
        ];
    }

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
