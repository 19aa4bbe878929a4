using ResilientGrpc.Client.Calls;
using ResilientGrpc.Client.Reporting;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Server.Telemetry;

namespace ResilientGrpc.Client.Scenario;

/// <summary>
/// Walks the client through the demo's phases against the in-process chaos server, one call at a time, and
/// measures each phase: the client's counts and, from the server's own statistics, what it received. A phase calls
/// through <paramref name="hedgedCaller"/> when it is <see cref="ScenarioPhase.Hedged"/>, else through <paramref name="caller"/>;
/// both share one circuit breaker.
/// </summary>
internal sealed class DemoScenario(
    IReadOnlyList<ScenarioPhase> phases,
    ChaosController chaos,
    ServerCallStatistics serverStatistics,
    ProcessCaller caller,
    ProcessCaller hedgedCaller,
    TrafficCounters counters,
    TimeProvider timeProvider,
    ILogger logger)
{
    /// <summary>Runs every phase.</summary>
    /// <returns>The summary of each phase.</returns>
    /// <exception cref="TimeoutException">A phase did not finish within its limit.</exception>
    public async Task<IReadOnlyList<PhaseSummary>> RunAsync(CancellationToken cancellationToken)
    {
        var summaries = new List<PhaseSummary>(phases.Count);
        for (var i = 0; i < phases.Count; i++)
        {
            summaries.Add(await RunPhaseAsync(phases[i], i + 1, cancellationToken));
        }

        return summaries;
    }

    private async Task<PhaseSummary> RunPhaseAsync(ScenarioPhase phase, int number, CancellationToken cancellationToken)
    {
        ScenarioLog.PhaseStarted(logger, number, phases.Count, phase.Name, phase.Narration);
        chaos.Apply(phase.Chaos);
        var started = timeProvider.GetTimestamp();
        var before = counters.Snapshot();
        var serverBefore = serverStatistics.TotalCalls;

        using var limit = new CancellationTokenSource(phase.Limit, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var progress = new PhaseProgress();
        var phaseCaller = phase.Hedged ? hedgedCaller : caller;
        try
        {
            while (!phase.IsDone(progress))
            {
                linked.Token.ThrowIfCancellationRequested();
                progress.Record(await phaseCaller.CallAsync($"{phase.RequestPrefix}-{progress.Calls + 1}", linked.Token));
                await Task.Delay(phase.CallInterval, timeProvider, linked.Token);
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Phase '{phase.Name}' did not finish within {phase.Limit.TotalSeconds:0.#} s.");
        }

        var summary = new PhaseSummary(
            phase.Name,
            counters.Snapshot() - before,
            serverStatistics.TotalCalls - serverBefore,
            timeProvider.GetElapsedTime(started))
        {
            LongestCall = progress.Longest,
        };
        ScenarioLog.PhaseEnded(
            logger,
            phase.Name,
            summary.Duration.TotalSeconds,
            summary.Traffic.Calls,
            summary.Traffic.Succeeded,
            summary.Traffic.Retries,
            summary.Traffic.Rejected,
            summary.Traffic.Hedges,
            summary.Traffic.HedgesCancelled,
            summary.ServerReceived);
        return summary;
    }
}
