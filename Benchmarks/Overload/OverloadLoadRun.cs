using System.Collections.Concurrent;
using System.Diagnostics;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// Drives one contender through the overload scenario: 20 warm-up calls with the server unlimited, then the capacity of
/// the scenario's variant and its phased open-loop load (<see cref="ScheduledLoad"/>). The server's arrivals are read when
/// the overload starts and when the load drops.
/// </summary>
internal sealed class OverloadLoadRun(OverloadScenario scenario, BenchmarkServer server, OverloadClient client, IReadOnlyList<TimeSpan> schedule)
{
    /// <summary>How long the calls still running at the end may take: longer than any contender's longest call (3 × 2 s + 3 s of backoff).</summary>
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<(long Ordinal, CallRecord Record)> records = new();

    public async Task<OverloadResult> RunAsync()
    {
        await ProcessCalls.WarmUpAsync(client.Process, server).ConfigureAwait(false);
        server.Controller.Apply(scenario.Chaos());
        server.Statistics.Reset();

        var overloadStart = scenario.StartOf(OverloadPhase.Overload);
        var drop = scenario.StartOf(OverloadPhase.After);
        long? arrivalsAtOverload = null;
        long? arrivalsAtDrop = null;
        var clock = Stopwatch.StartNew();
        client.Breaker.Start(clock);
        var notStarted = await new ScheduledLoad(schedule, OverloadScenario.MaxInFlight).RunAsync(
            clock,
            Drain,
            due =>
            {
                if (arrivalsAtOverload is null && due >= overloadStart)
                {
                    arrivalsAtOverload = server.Statistics.TotalCalls;
                }

                if (arrivalsAtDrop is null && due >= drop)
                {
                    arrivalsAtDrop = server.Statistics.TotalCalls;
                }
            },
            async ordinal => records.Enqueue((ordinal, await ProcessCalls.TimeAsync(clock, ordinal, client.Process, _ => false).ConfigureAwait(false)))).ConfigureAwait(false);

        var ordered = records.OrderBy(r => r.Ordinal).ToList();
        var calls = ordered.Select(r => (r.Record, Sent: client.Sent.Of(r.Ordinal) > 0)).ToList();
        var maxLag = ordered.Select(r => r.Record.Start - schedule[(int)r.Ordinal]).DefaultIfEmpty(TimeSpan.Zero).Max();
        return OverloadResult.From(
            client.Contender,
            scenario,
            calls,
            notStarted,
            (arrivalsAtDrop ?? server.Statistics.TotalCalls) - (arrivalsAtOverload ?? 0),
            client.Breaker.Openings(),
            maxLag);
    }
}
