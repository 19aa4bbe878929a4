using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>What one contender did under the overload scenario, reduced to the numbers of the report.</summary>
/// <param name="Contender">Who ran.</param>
/// <param name="Calls">The calls started.</param>
/// <param name="NotStarted">The calls not started because too many were in flight (0 while the load stays open loop).</param>
/// <param name="UnloadedP50">The median latency of the successful calls started before the overload.</param>
/// <param name="UnloadedP99">Their 99th percentile.</param>
/// <param name="OverloadSuccess">The share of the calls started during the overload that succeeded.</param>
/// <param name="Goodput">Successful calls that ended during the overload, per second, ÷ capacity.</param>
/// <param name="ServerLoad">Attempts the server received during the overload, per second, ÷ capacity.</param>
/// <param name="OverloadP99">The 99th percentile latency of the successful calls started during the overload (zero when none succeeded).</param>
/// <param name="RefusedLocally">Calls started during the overload that failed without any attempt leaving the client.</param>
/// <param name="OverloadCalls">The calls started during the overload.</param>
/// <param name="Recovery">From the drop to the start of the first 1 s window (on a 100 ms grid) in which ≥ 99 % of the calls started succeeded; null: never within the last phase.</param>
/// <param name="BreakerOpenings">How often the breaker opened during the run (reopenings included).</param>
/// <param name="FirstOpening">When the breaker first opened, from the start of the overload (negative: before it); null: never.</param>
/// <param name="MaxLag">How late the load started its latest call against the schedule (the load generator stalled; the calls it owed then start at once, in a burst).</param>
/// <param name="FirstOpeningReason">Why it first opened (ours: "5 calls" or "15 attempts" in a row; "Polly"); null when it did not, or when runs differ.</param>
public sealed record OverloadResult(
    OverloadContender Contender,
    int Calls,
    int NotStarted,
    TimeSpan UnloadedP50,
    TimeSpan UnloadedP99,
    double OverloadSuccess,
    double Goodput,
    double ServerLoad,
    TimeSpan OverloadP99,
    long RefusedLocally,
    long OverloadCalls,
    TimeSpan? Recovery,
    long BreakerOpenings,
    TimeSpan? FirstOpening,
    TimeSpan MaxLag,
    string? FirstOpeningReason)
{
    /// <summary>The share of the overload's calls refused locally.</summary>
    public double RefusedShare => OverloadCalls == 0 ? 0 : (double)RefusedLocally / OverloadCalls;

    /// <summary>Reduces one contender's calls to its result.</summary>
    /// <param name="contender">Who ran.</param>
    /// <param name="scenario">The scenario it ran.</param>
    /// <param name="calls">Every call started, with its ordinal and whether any attempt of it left the client.</param>
    /// <param name="notStarted">The calls not started.</param>
    /// <param name="serverArrivalsInOverload">Attempts the server received from the start of the overload to the drop.</param>
    /// <param name="openings">When the breaker opened, from the start of the run.</param>
    /// <param name="maxLag">How late the load started its latest call.</param>
    public static OverloadResult From(
        OverloadContender contender,
        OverloadScenario scenario,
        IReadOnlyList<(CallRecord Record, bool Sent)> calls,
        int notStarted,
        long serverArrivalsInOverload,
        IReadOnlyList<BreakerOpening> openings,
        TimeSpan maxLag)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(calls);
        ArgumentNullException.ThrowIfNull(openings);
        var overloadStart = scenario.StartOf(OverloadPhase.Overload);
        var drop = scenario.StartOf(OverloadPhase.After);
        var overloadSeconds = scenario.Overload.TotalSeconds;
        var before = calls.Where(c => c.Record.Start < overloadStart).Select(c => c.Record).ToArray();
        var during = calls.Where(c => c.Record.Start >= overloadStart && c.Record.Start < drop).ToArray();
        var unloaded = before.Where(r => r.Succeeded).Select(r => r.Latency).Order().ToArray();
        var overloadOk = during.Where(c => c.Record.Succeeded).Select(c => c.Record.Latency).Order().ToArray();
        var goodCalls = calls.Count(c => c.Record.Succeeded && c.Record.End >= overloadStart && c.Record.End < drop);

        return new OverloadResult(
            contender,
            calls.Count,
            notStarted,
            RunStatistics.Percentile(unloaded, 0.50),
            RunStatistics.Percentile(unloaded, 0.99),
            during.Length == 0 ? 0 : (double)overloadOk.Length / during.Length,
            goodCalls / overloadSeconds / scenario.Capacity,
            serverArrivalsInOverload / overloadSeconds / scenario.Capacity,
            RunStatistics.Percentile(overloadOk, 0.99),
            during.LongCount(c => !c.Record.Succeeded && !c.Sent),
            during.Length,
            RecoveryAfter(drop, scenario.Total, [.. calls.Select(c => c.Record).Where(r => r.Start >= drop)]),
            openings.Count,
            openings.Count == 0 ? null : openings[0].At - overloadStart,
            maxLag,
            openings.Count == 0 ? null : openings[0].Reason);
    }

    /// <summary>The median of one contender's results over repeated runs, column by column; "never" counts as later than any time.</summary>
    public static OverloadResult Median(IReadOnlyList<OverloadResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        return new OverloadResult(
            runs[0].Contender,
            (int)RunStatistics.MedianCount(runs.Select(r => (double)r.Calls)),
            (int)RunStatistics.MedianCount(runs.Select(r => (double)r.NotStarted)),
            RunStatistics.MedianTime(runs.Select(r => r.UnloadedP50)),
            RunStatistics.MedianTime(runs.Select(r => r.UnloadedP99)),
            RunStatistics.Median(runs.Select(r => r.OverloadSuccess)),
            RunStatistics.Median(runs.Select(r => r.Goodput)),
            RunStatistics.Median(runs.Select(r => r.ServerLoad)),
            RunStatistics.MedianTime(runs.Select(r => r.OverloadP99)),
            RunStatistics.MedianCount(runs.Select(r => (double)r.RefusedLocally)),
            RunStatistics.MedianCount(runs.Select(r => (double)r.OverloadCalls)),
            MedianOrNever(runs.Select(r => r.Recovery)),
            RunStatistics.MedianCount(runs.Select(r => (double)r.BreakerOpenings)),
            MedianOrNever(runs.Select(r => r.FirstOpening)),
            RunStatistics.MedianTime(runs.Select(r => r.MaxLag)),
            runs.Select(r => r.FirstOpeningReason).Distinct().Count() == 1 ? runs[0].FirstOpeningReason : null);
    }

    /// <summary>
    /// The start, from <paramref name="drop"/>, of the first 1 s window (windows start every 100 ms and end by
    /// <paramref name="end"/>) in which at least one call started and ≥ 99 % of those started succeeded; null when none does.
    /// </summary>
    internal static TimeSpan? RecoveryAfter(TimeSpan drop, TimeSpan end, IReadOnlyList<CallRecord> after)
    {
        var window = TimeSpan.FromSeconds(1);
        var step = TimeSpan.FromMilliseconds(100);
        for (var start = drop; start + window <= end; start += step)
        {
            var inWindow = after.Where(r => r.Start >= start && r.Start < start + window).ToArray();
            if (inWindow.Length > 0 && RunStatistics.SuccessRate(inWindow) >= 0.99)
            {
                return start - drop;
            }
        }

        return null;
    }

    private static TimeSpan? MedianOrNever(IEnumerable<TimeSpan?> values)
    {
        var median = RunStatistics.Median(values.Select(v => v is { } t ? t.Ticks : double.PositiveInfinity));
        return double.IsPositiveInfinity(median) ? null : TimeSpan.FromTicks((long)median);
    }
}
