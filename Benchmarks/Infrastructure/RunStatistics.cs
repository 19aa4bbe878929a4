namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>
/// The statistics the load reports share: latency percentiles of one run, and medians over repeated runs (for an even
/// number of runs, the mean of the two middle values; counts are rounded).
/// </summary>
internal static class RunStatistics
{
    /// <summary>The nearest-rank percentile <paramref name="p"/> (0..1) of <paramref name="sorted"/>; zero when empty.</summary>
    public static TimeSpan Percentile(TimeSpan[] sorted, double p) =>
        sorted.Length == 0 ? TimeSpan.Zero : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>The share of <paramref name="records"/> that succeeded; zero when empty.</summary>
    public static double SuccessRate(IEnumerable<CallRecord> records)
    {
        var (all, ok) = records.Aggregate((All: 0, Ok: 0), (acc, r) => (acc.All + 1, acc.Ok + (r.Succeeded ? 1 : 0)));
        return all == 0 ? 0 : (double)ok / all;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Length);
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static long MedianCount(IEnumerable<double> values) => (long)Math.Round(Median(values), MidpointRounding.AwayFromZero);

    public static TimeSpan MedianTime(IEnumerable<TimeSpan> values) => TimeSpan.FromTicks((long)Median(values.Select(v => (double)v.Ticks)));
}
