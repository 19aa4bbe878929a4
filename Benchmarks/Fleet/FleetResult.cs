using System.Globalization;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Fleet;

/// <summary>What one contender did in the fleet profile.</summary>
/// <param name="Contender">Who ran.</param>
/// <param name="Calls">The logical calls made (not shed).</param>
/// <param name="SuccessRate">The share of calls that succeeded.</param>
/// <param name="AttemptsPerCall">The attempts all three replicas received ÷ logical calls.</param>
/// <param name="BadShareAfterWarmup">The failing replica's share of the attempts the replicas received after the first 10 s.</param>
/// <param name="BadAttempts">The attempts the failing replica received in all.</param>
/// <param name="BadAttemptsAfterWarmup">The attempts the failing replica received after the first 10 s.</param>
/// <param name="P99">The 99th percentile latency of every call.</param>
public sealed record FleetResult(
    FleetContender Contender, int Calls, double SuccessRate, double AttemptsPerCall, double BadShareAfterWarmup, long BadAttempts, long BadAttemptsAfterWarmup, TimeSpan P99)
{
    /// <summary>The median of one contender's results over repeated runs, column by column.</summary>
    public static FleetResult Median(IReadOnlyList<FleetResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return new FleetResult(
            runs[0].Contender,
            (int)RunStatistics.MedianCount(runs.Select(r => (double)r.Calls)),
            RunStatistics.Median(runs.Select(r => r.SuccessRate)),
            RunStatistics.Median(runs.Select(r => r.AttemptsPerCall)),
            RunStatistics.Median(runs.Select(r => r.BadShareAfterWarmup)),
            RunStatistics.MedianCount(runs.Select(r => (double)r.BadAttempts)),
            RunStatistics.MedianCount(runs.Select(r => (double)r.BadAttemptsAfterWarmup)),
            RunStatistics.MedianTime(runs.Select(r => r.P99)));
    }

    /// <summary>The cells of this result's row, after its run label.</summary>
    public string[] Cells() =>
    [
        Contender.ToString(),
        Calls.ToString(CultureInfo.InvariantCulture),
        SuccessRate.ToString("0.0%", CultureInfo.InvariantCulture),
        AttemptsPerCall.ToString("0.000", CultureInfo.InvariantCulture),
        BadAttempts.ToString(CultureInfo.InvariantCulture),
        BadAttemptsAfterWarmup.ToString(CultureInfo.InvariantCulture),
        BadShareAfterWarmup.ToString("0.00%", CultureInfo.InvariantCulture),
        P99.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture),
    ];
}
