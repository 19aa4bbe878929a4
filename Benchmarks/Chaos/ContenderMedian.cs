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
        var failFast = Median(runs.Select(r => r.OutageToFailFast is { } t ? t.Ticks : double.PositiveInfinity));
        return new ContenderResult(
            runs[0].Contender,
            (int)Count(runs.Select(r => (double)r.Calls)),
            (int)Count(runs.Select(r => (double)r.Shed)),
            Median(runs.Select(r => r.SuccessRate)),
            Median(runs.Select(r => r.FlakySuccessRate)),
            Median(runs.Select(r => r.RecoverySuccessRate)),
            Time(runs.Select(r => r.P50)),
            Time(runs.Select(r => r.P99)),
            Time(runs.Select(r => r.Max)),
            Time(runs.Select(r => r.OutageP50)),
            Median(runs.Select(r => r.AttemptsPerCall)),
            Count(runs.Select(r => (double)r.ServerCallsInOutage)),
            double.IsPositiveInfinity(failFast) ? null : TimeSpan.FromTicks((long)failFast),
            Time(runs.Select(r => r.RecoveryToHealthy)),
            Count(runs.Select(r => (double)r.FlakyBreakerOpenings)),
            Count(runs.Select(r => (double)r.BreakerOpenings)))
        {
            Handler = runs.All(r => r.Handler is not null) ? Handler([.. runs.Select(r => r.Handler!.Value)]) : null,
        };
    }

    private static PollyEventCounts Handler(PollyEventCounts[] runs) => new(
        Count(runs.Select(r => (double)r.Attempts)),
        Count(runs.Select(r => (double)r.HandledAttempts)),
        Count(runs.Select(r => (double)r.Retries)),
        Count(runs.Select(r => (double)r.Timeouts)));

    private static long Count(IEnumerable<double> values) => (long)Math.Round(Median(values), MidpointRounding.AwayFromZero);

    private static TimeSpan Time(IEnumerable<TimeSpan> values) => TimeSpan.FromTicks((long)Median(values.Select(v => (double)v.Ticks)));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
