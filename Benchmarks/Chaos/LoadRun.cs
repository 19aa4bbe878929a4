using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>
/// Drives one contender through the scenario at a fixed offered load (open loop: calls start on schedule whether or
/// not earlier ones finished, up to <see cref="ChaosScenario.MaxInFlight"/>; a call over that bound is shed and counted).
/// </summary>
public sealed class LoadRun(ChaosScenario scenario, BenchmarkServer server, ContenderClient client)
{
    private readonly ConcurrentQueue<CallRecord> records = new();
    private readonly Dictionary<ChaosPhase, TimeSpan> phaseStarts = [];
    private readonly Dictionary<ChaosPhase, long> openingsAtStart = [];
    private long started;
    private int inFlight;
    private int shed;

    public async Task<ContenderResult> RunAsync()
    {
        ArgumentNullException.ThrowIfNull(server);
        await WarmUpAsync().ConfigureAwait(false);
        server.Statistics.Reset();
        var handlerAtStart = client.HandlerTelemetry?.Snapshot();

        var interval = TimeSpan.FromSeconds(1.0 / scenario.CallsPerSecond);
        var calls = new List<Task>();
        ChaosPhase? phase = null;
        var clock = Stopwatch.StartNew();
        for (var i = 0L; interval * i < scenario.Total; i++)
        {
            var due = interval * i;
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            var now = scenario.PhaseAt(due);
            if (now != phase)
            {
                server.Controller.Apply(scenario.ChaosFor(now));
                phaseStarts[now] = clock.Elapsed;
                openingsAtStart[now] = client.Openings.Count;
                phase = now;
            }

            if (Volatile.Read(ref inFlight) >= scenario.MaxInFlight)
            {
                shed++;
                continue;
            }

            Interlocked.Increment(ref inFlight);
            calls.Add(CallAsync(clock, i));
        }

        // Every contender but bare bounds its calls by deadlines; bare's longest is a hang.
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
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

    private async Task WarmUpAsync()
    {
        server.Controller.Apply(new ChaosOptions { Enabled = false });
        for (var i = 0; i < 20; i++)
        {
            using var call = client.Process(new ProcessRequest { RequestId = "warm-up", Payload = "x" });
            try
            {
                _ = await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // A first call (connection, JIT) may outlive the 200 ms deadline: warming up is all that counts.
            }
        }
    }

    private async Task CallAsync(Stopwatch clock, long ordinal)
    {
        Interlocked.Increment(ref started);
        var start = clock.Elapsed;
        var status = StatusCode.OK;
        var local = false;
        try
        {
            using var call = client.Process(new ProcessRequest
            {
                RequestId = ordinal.ToString(CultureInfo.InvariantCulture),
                Payload = "chaos",
            });
            _ = await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException error)
        {
            status = error.StatusCode;
            local = ContenderClient.IsLocalRejection(error);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }

        records.Enqueue(new CallRecord(start, clock.Elapsed, status, local));
    }
}
