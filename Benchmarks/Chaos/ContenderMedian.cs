using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>
/// The median of one contender's results over repeated runs, column by column (so the median row need not be any one run).
/// With an even number of runs it is the mean of the two middle values, rounded for counts; "never" (no fail-fast) counts
/// as later than any time, so a median that reaches it is "never".
/// </summary>
internal static class ContenderMedian
{
    public static ContenderResult Of(IReadOnlyList<ContenderResult> runs)
    {
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        var failFast = RunStatistics.Median(runs.Select(r => r.OutageToFailFast is { } t ? t.Ticks : double.PositiveInfinity));
        return new ContenderResult(
            runs[0].Contender,
            (int)RunStatistics.MedianCount(runs.Select(r => (double)r.Calls)),
            (int)RunStatistics.MedianCount(runs.Select(r => (double)r.Shed)),
            RunStatistics.Median(runs.Select(r => r.SuccessRate)),
            RunStatistics.Median(runs.Select(r => r.FlakySuccessRate)),
            RunStatistics.Median(runs.Select(r => r.RecoverySuccessRate)),
            RunStatistics.MedianTime(runs.Select(r => r.P50)),
            RunStatistics.MedianTime(runs.Select(r => r.P99)),
            RunStatistics.MedianTime(runs.Select(r => r.Max)),
            RunStatistics.MedianTime(runs.Select(r => r.OutageP50)),
            RunStatistics.Median(runs.Select(r => r.AttemptsPerCall)),
            RunStatistics.MedianCount(runs.Select(r => (double)r.ServerCallsInOutage)),
            double.IsPositiveInfinity(failFast) ? null : TimeSpan.FromTicks((long)failFast),
            RunStatistics.MedianTime(runs.Select(r => r.RecoveryToHealthy)),
            RunStatistics.MedianCount(runs.Select(r => (double)r.FlakyBreakerOpenings)),
            RunStatistics.MedianCount(runs.Select(r => (double)r.BreakerOpenings)))
        {
            Handler = runs.All(r => r.Handler is not null) ? Handler([.. runs.Select(r => r.Handler!.Value)]) : null,
        };
    }

    private static PollyEventCounts Handler(PollyEventCounts[] runs) => new(
        RunStatistics.MedianCount(runs.Select(r => (double)r.Attempts)),
        RunStatistics.MedianCount(runs.Select(r => (double)r.HandledAttempts)),
        RunStatistics.MedianCount(runs.Select(r => (double)r.Retries)),
        RunStatistics.MedianCount(runs.Select(r => (double)r.Timeouts)));
}
