using System.Collections.Concurrent;
using System.Diagnostics;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>
/// Drives one contender through a hedging profile: 20 warm-up calls with chaos off, then the profile's chaos and an
/// open-loop offered load for its duration (<see cref="OpenLoop"/>).
/// </summary>
public sealed class HedgingLoadRun(HedgingScenario scenario, BenchmarkServer server, HedgingClient client)
{
    private readonly ConcurrentQueue<CallRecord> records = new();

    public async Task<HedgingResult> RunAsync()
    {
        ArgumentNullException.ThrowIfNull(server);
        await ProcessCalls.WarmUpAsync(client.Process, server).ConfigureAwait(false);
        server.Controller.Apply(scenario.Profile.Chaos(scenario.Seed));
        server.Statistics.Reset();
        var openingsAtStart = client.Openings.Count;
        var clock = Stopwatch.StartNew();
        var shed = await new OpenLoop(scenario.CallsPerSecond, scenario.MaxInFlight).RunAsync(
            clock,
            scenario.Profile.Duration,
            TimeSpan.FromSeconds(30),
            _ => { },
            async ordinal => records.Enqueue(await ProcessCalls.TimeAsync(clock, ordinal, client.Process, e => e is BrokenCircuitException).ConfigureAwait(false))).ConfigureAwait(false);

        // The server counts an abandoned hang when its cancellation arrives, which may trail the caller's outcome.
        await Task.Delay(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        return HedgingResult.From(
            client.Contender, [.. records], shed, server.Statistics.TotalCalls, server.Statistics.AbandonedCalls, client.Openings.Count - openingsAtStart);
    }
}
