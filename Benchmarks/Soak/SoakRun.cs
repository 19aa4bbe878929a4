using System.Diagnostics;
using System.Globalization;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>
/// Drives the soak: calls start on schedule whether or not earlier ones finished (open loop, like part B's load), up to
/// <see cref="SoakScenario.MaxInFlight"/> (a call over that is shed and counted), while the process is sampled every minute.
/// Every loop is bounded by the scenario's length and stops by itself.
/// </summary>
internal sealed class SoakRun(SoakScenario scenario, BenchmarkServer server, SoakClient client)
{
    /// <summary>How long the calls still in flight when the load stops may take to end.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(30);

    private readonly CallTally tally = new(scenario);
    private readonly List<ResourceSample> samples = [];
    private int inFlight;
    private int peakInFlight;
    private long started;
    private long shed;

    public async Task<SoakResult> RunAsync()
    {
        ArgumentNullException.ThrowIfNull(server);
        using var unobserved = new UnobservedTaskExceptions();
        var startedAt = DateTime.UtcNow;
        await ConnectAsync().ConfigureAwait(false);
        samples.Add(Sample(TimeSpan.Zero));
        Console.WriteLine(SoakReport.SampleLine(samples[0], "start"));
        server.Statistics.Reset();

        // Applying the chaos starts its outage clock: the first cycle begins with the traffic.
        server.Controller.Apply(scenario.Chaos());
        var clock = Stopwatch.StartNew();
        var sampling = SampleEveryMinuteAsync(clock);
        await OfferLoadAsync(clock).ConfigureAwait(false);
        await sampling.ConfigureAwait(false);
        var trafficTime = clock.Elapsed;
        var drained = await DrainAsync().ConfigureAwait(false);
        server.Controller.Apply(new ChaosOptions { Enabled = false });
        var afterDrain = Sample(clock.Elapsed);
        Console.WriteLine(SoakReport.SampleLine(afterDrain, "after drain"));

        return new SoakResult(scenario, startedAt, trafficTime, Interlocked.Read(ref started), Interlocked.Read(ref shed), peakInFlight, drained, tally, [.. samples], afterDrain)
        {
            ServerCalls = server.Statistics.TotalCalls,
            Openings = client.Transitions.Opened,
            Probes = client.Transitions.HalfOpened,
            Closings = client.Transitions.Closed,
            LogLines = client.Log.Lines,
            LogCharacters = client.Log.Characters,
            LogEvents = new Dictionary<string, long>(client.Log.ByEvent, StringComparer.Ordinal),
            Measurements = client.Telemetry.Measurements,
            Unobserved = unobserved.Count,
            FirstUnobserved = unobserved.First,
        };
    }

    /// <summary>A few healthy calls before the first sample, so the connection and the JIT's first work are counted at the start.</summary>
    private async Task ConnectAsync()
    {
        server.Controller.Apply(new ChaosOptions { Enabled = false });
        for (var i = 0; i < 20; i++)
        {
            await CallAsync(Stopwatch.StartNew(), i, count: false).ConfigureAwait(false);
        }
    }

    private async Task OfferLoadAsync(Stopwatch clock)
    {
        var interval = TimeSpan.FromSeconds(1.0 / scenario.CallsPerSecond);
        for (var i = 0L; interval * i < scenario.Total; i++)
        {
            var wait = (interval * i) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            var now = Interlocked.Increment(ref inFlight);
            if (now > scenario.MaxInFlight)
            {
                _ = Interlocked.Decrement(ref inFlight);
                shed++;
                continue;
            }

            peakInFlight = Math.Max(peakInFlight, now);
            _ = Interlocked.Increment(ref started);
            _ = CallAsync(clock, i, count: true);
        }
    }

    private async Task SampleEveryMinuteAsync(Stopwatch clock)
    {
        var minutes = (int)scenario.Total.TotalMinutes;
        for (var minute = 1; minute <= minutes; minute++)
        {
            var wait = TimeSpan.FromMinutes(minute) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            samples.Add(Sample(clock.Elapsed));
            Console.WriteLine(SoakReport.SampleLine(samples[^1], minute == 1 ? "warm" : minute == minutes ? "end" : string.Create(CultureInfo.InvariantCulture, $"minute {minute}")));
        }
    }

    /// <summary>Waits, at most <see cref="DrainLimit"/>, for the calls in flight to end; false when some never did.</summary>
    private async Task<bool> DrainAsync()
    {
        var limit = Stopwatch.StartNew();
        while (Volatile.Read(ref inFlight) > 0 && limit.Elapsed < DrainLimit)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }

        return Volatile.Read(ref inFlight) == 0;
    }

    private ResourceSample Sample(TimeSpan elapsed) =>
        ResourceSample.Take(elapsed, Volatile.Read(ref inFlight), Interlocked.Read(ref started), client.Transitions.Opened);

    /// <summary>One call, a stream for one ordinal in <see cref="SoakScenario.StreamEvery"/>; never faults.</summary>
    private async Task CallAsync(Stopwatch clock, long ordinal, bool count)
    {
        var kind = ordinal % SoakScenario.StreamEvery == 0 ? CallKind.Stream : CallKind.Unary;
        var start = clock.Elapsed;
        try
        {
            var complete = kind == CallKind.Stream ? await SubscribeAsync().ConfigureAwait(false) : await ProcessAsync(ordinal).ConfigureAwait(false);
            if (count)
            {
                tally.Succeeded(kind, clock.Elapsed - start, complete);
            }
        }
        catch (Exception error)
        {
            // Everything a caller can see is counted by type: anything but an RpcException is a defect the report calls out.
            if (count)
            {
                tally.Failed(kind, error, clock.Elapsed - start);
            }
        }
        finally
        {
            if (count)
            {
                _ = Interlocked.Decrement(ref inFlight);
            }
        }
    }

    /// <summary>A unary call; true once it has its reply.</summary>
    private async Task<bool> ProcessAsync(long ordinal)
    {
        using var call = client.Process(new ProcessRequest { RequestId = ordinal.ToString(CultureInfo.InvariantCulture), Payload = "soak" });
        _ = await call.ResponseAsync.ConfigureAwait(false);
        return true;
    }

    /// <summary>A stream read to its end; true when it delivered every event it was asked for.</summary>
    private async Task<bool> SubscribeAsync()
    {
        using var call = client.Subscribe(new SubscribeRequest { Count = SoakScenario.StreamEvents, IntervalMs = SoakScenario.StreamIntervalMs });
        var events = 0;
        while (await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
            events++;
        }

        return events == SoakScenario.StreamEvents;
    }
}
