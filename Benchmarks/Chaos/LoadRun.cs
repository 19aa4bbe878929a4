using System.Collections.Concurrent;
using System.Diagnostics;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>
/// Drives one contender through the scenario at a fixed offered load (open loop: calls start on schedule whether or
/// not earlier ones finished, up to <see cref="ChaosScenario.MaxInFlight"/>; a call over that bound is shed and counted;
/// see <see cref="OpenLoop"/>).
/// </summary>
public sealed class LoadRun(ChaosScenario scenario, BenchmarkServer server, ContenderClient client)
{
    private readonly ConcurrentQueue<CallRecord> records = new();
    private readonly Dictionary<ChaosPhase, TimeSpan> phaseStarts = [];
    private readonly Dictionary<ChaosPhase, long> openingsAtStart = [];

    public async Task<ContenderResult> RunAsync()
    {
        ArgumentNullException.ThrowIfNull(server);
        await ProcessCalls.WarmUpAsync(client.Process, server).ConfigureAwait(false);
        server.Statistics.Reset();
        var handlerAtStart = client.HandlerTelemetry?.Snapshot();

        ChaosPhase? phase = null;
        var clock = Stopwatch.StartNew();
        // Every contender but bare bounds its calls by deadlines; bare's longest is a hang.
        var shed = await new OpenLoop(scenario.CallsPerSecond, scenario.MaxInFlight).RunAsync(
            clock,
            scenario.Total,
            TimeSpan.FromSeconds(30),
            due =>
            {
                var now = scenario.PhaseAt(due);
                if (now != phase)
                {
                    server.Controller.Apply(scenario.ChaosFor(now));
                    phaseStarts[now] = clock.Elapsed;
                    openingsAtStart[now] = client.Openings.Count;
                    phase = now;
                }
            },
            ordinal => CallAsync(clock, ordinal)).ConfigureAwait(false);
        return ContenderResult.From(
            client.Contender,
            scenario,
            [.. records],
            phaseStarts,
            server.Statistics.TotalCalls,
            server.Statistics.CallsWithOutcome(ChaosOutcome.Outage),
            shed,
            openingsAtStart[ChaosPhase.Outage] - openingsAtStart[ChaosPhase.Flaky],
            client.Openings.Count - openingsAtStart[ChaosPhase.Flaky]) with
        {
            Handler = client.HandlerTelemetry?.Snapshot() - handlerAtStart,
        };
    }

    private async Task CallAsync(Stopwatch clock, long ordinal) =>
        records.Enqueue(await ProcessCalls.TimeAsync(clock, ordinal, client.Process, ContenderClient.IsLocalRejection).ConfigureAwait(false));
}
