using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>What one contender did under the scenario, reduced to the numbers of the report.</summary>
public sealed record ContenderResult(
    Contender Contender,
    int Calls,
    int Shed,
    double SuccessRate,
    double FlakySuccessRate,
    double RecoverySuccessRate,
    TimeSpan P50,
    TimeSpan P99,
    TimeSpan Max,
    TimeSpan OutageP50,
    double AttemptsPerCall,
    long ServerCallsInOutage,
    TimeSpan? OutageToFailFast,
    TimeSpan RecoveryToHealthy,
    long FlakyBreakerOpenings,
    long BreakerOpenings)
{
    /// <summary>Gets what the standard resilience handler's own telemetry reported from the flaky phase on (null for the other contenders).</summary>
    public PollyEventCounts? Handler { get; init; }

    public static ContenderResult From(
        Contender contender,
        ChaosScenario scenario,
        IReadOnlyList<CallRecord> records,
        IReadOnlyDictionary<ChaosPhase, TimeSpan> phaseStarts,
        long serverCalls,
        long serverCallsInOutage,
        int shed,
        long flakyOpenings,
        long openings)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(phaseStarts);
        var outageStart = phaseStarts[ChaosPhase.Outage];
        var recoveryStart = phaseStarts[ChaosPhase.Recovery];
        var latencies = records.Select(r => r.Latency).Order().ToArray();
        var outage = records.Where(r => r.Start >= outageStart && r.Start < recoveryStart).Select(r => r.Latency).Order().ToArray();
        // When the first caller got a local refusal (a call may first fail at the server, then have its retry refused).
        var firstFailFast = records.Where(r => r.RejectedLocally && r.Start >= outageStart).Select(r => r.End).DefaultIfEmpty(TimeSpan.MaxValue).Min();
        var lastRecoveryFailure = records.Where(r => r.Start >= recoveryStart && !r.Succeeded).Select(r => r.End).DefaultIfEmpty(recoveryStart).Max();

        return new ContenderResult(
            contender,
            records.Count,
            shed,
            RunStatistics.SuccessRate(records),
            RunStatistics.SuccessRate(records.Where(r => r.Start < outageStart)),
            RunStatistics.SuccessRate(records.Where(r => r.Start >= recoveryStart)),
            RunStatistics.Percentile(latencies, 0.50),
            RunStatistics.Percentile(latencies, 0.99),
            latencies.Length == 0 ? TimeSpan.Zero : latencies[^1],
            RunStatistics.Percentile(outage, 0.50),
            records.Count == 0 ? 0 : (double)serverCalls / records.Count,
            serverCallsInOutage,
            firstFailFast == TimeSpan.MaxValue ? null : firstFailFast - outageStart,
            lastRecoveryFailure - recoveryStart,
            flakyOpenings,
            openings);
    }
}
