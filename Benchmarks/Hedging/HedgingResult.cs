using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>What one contender did under a hedging profile, reduced to the numbers of the report.</summary>
/// <param name="Contender">Who ran.</param>
/// <param name="Calls">The logical calls made (not shed).</param>
/// <param name="Shed">The calls not made because too many were in flight.</param>
/// <param name="SuccessRate">The share of calls that succeeded.</param>
/// <param name="P50">The median latency of every call.</param>
/// <param name="P90">The 90th percentile latency of every call: where a call answered by a hedge shows.</param>
/// <param name="P99">The 99th percentile latency of every call.</param>
/// <param name="Max">The longest call.</param>
/// <param name="AttemptsPerCall">The calls the server received ÷ logical calls.</param>
/// <param name="ServerAbandoned">The calls the server saw abandoned: cancelled by the client or ended by their deadline while it worked.</param>
/// <param name="BreakerOpenings">How often our breaker opened (zero for the contenders without one).</param>
/// <param name="FirstLocalRejection">When a caller first got a local refusal from a breaker, from the start of the load; null for never.</param>
public sealed record HedgingResult(
    HedgingContender Contender,
    int Calls,
    int Shed,
    double SuccessRate,
    TimeSpan P50,
    TimeSpan P90,
    TimeSpan P99,
    TimeSpan Max,
    double AttemptsPerCall,
    long ServerAbandoned,
    long BreakerOpenings,
    TimeSpan? FirstLocalRejection)
{
    /// <summary>"Never" as a time, for medians: later than any run lasts.</summary>
    private static readonly TimeSpan Never = TimeSpan.FromDays(1);

    /// <summary>The calls the server received (<see cref="AttemptsPerCall"/> × <see cref="Calls"/>).</summary>
    public long ServerCalls => (long)Math.Round(AttemptsPerCall * Calls);

    public static HedgingResult From(
        HedgingContender contender, IReadOnlyList<CallRecord> records, int shed, long serverCalls, long serverAbandoned, long openings)
    {
        ArgumentNullException.ThrowIfNull(records);
        var latencies = records.Select(r => r.Latency).Order().ToArray();
        return new HedgingResult(
            contender,
            records.Count,
            shed,
            RunStatistics.SuccessRate(records),
            RunStatistics.Percentile(latencies, 0.50),
            RunStatistics.Percentile(latencies, 0.90),
            RunStatistics.Percentile(latencies, 0.99),
            latencies.Length == 0 ? TimeSpan.Zero : latencies[^1],
            records.Count == 0 ? 0 : (double)serverCalls / records.Count,
            serverAbandoned,
            openings,
            records.Where(r => r.RejectedLocally).Select(r => (TimeSpan?)r.End).Min());
    }

    /// <summary>The median of one contender's results over repeated runs, column by column.</summary>
    public static HedgingResult Median(IReadOnlyList<HedgingResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentOutOfRangeException.ThrowIfZero(runs.Count);
        return new HedgingResult(
            runs[0].Contender,
            (int)RunStatistics.MedianCount(runs.Select(r => (double)r.Calls)),
            (int)RunStatistics.MedianCount(runs.Select(r => (double)r.Shed)),
            RunStatistics.Median(runs.Select(r => r.SuccessRate)),
            RunStatistics.MedianTime(runs.Select(r => r.P50)),
            RunStatistics.MedianTime(runs.Select(r => r.P90)),
            RunStatistics.MedianTime(runs.Select(r => r.P99)),
            RunStatistics.MedianTime(runs.Select(r => r.Max)),
            RunStatistics.Median(runs.Select(r => r.AttemptsPerCall)),
            RunStatistics.MedianCount(runs.Select(r => (double)r.ServerAbandoned)),
            RunStatistics.MedianCount(runs.Select(r => (double)r.BreakerOpenings)),
            RunStatistics.MedianTime(runs.Select(r => r.FirstLocalRejection ?? Never)) is var first && first >= Never ? null : first);
    }

    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"{Contender}: {Calls} calls, {SuccessRate:0.0%} ok, p50 {P50.TotalMilliseconds:0.0} ms, p90 {P90.TotalMilliseconds:0.0} ms, p99 {P99.TotalMilliseconds:0.0} ms, max {Max.TotalMilliseconds:0.0} ms, {AttemptsPerCall:0.00} attempts/call, {ServerAbandoned} abandoned at the server");
}
