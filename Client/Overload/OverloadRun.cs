using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using ResilientGrpc.Client.Hosting;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Client.Overload;

/// <summary>
/// One run of the overload demo: a fresh in-process server of fixed capacity, a fresh channel to it, bare or with the
/// library's defaults, and the open-loop load through its three phases, counted window by window.
/// </summary>
internal sealed class OverloadRun
{
    private readonly bool withLibrary;
    private readonly OverloadTimings timings;
    private readonly CapacityOverflow overflow;
    private readonly ILoggerFactory loggers;
    private readonly ILogger narration;
    private readonly BreakerEventWatcher watcher;
    private readonly string name;
    private int breakerOpenings;

    public OverloadRun(bool withLibrary, OverloadTimings timings, CapacityOverflow overflow, ILoggerFactory loggers, BreakerEventWatcher watcher)
    {
        this.withLibrary = withLibrary;
        this.timings = timings;
        this.overflow = overflow;
        this.loggers = loggers;
        this.watcher = watcher;
        narration = loggers.CreateLogger(OverloadDemoLog.Category);
        name = withLibrary ? "with the library" : "no library";
    }

    private string Description => withLibrary
        ? "channel.WithResilience(new ResilienceOptions()): the library's defaults, retry -> concurrency limit -> breaker -> deadline"
        : string.Create(CultureInfo.InvariantCulture, $"a bare channel, a {timings.BareDeadline.TotalSeconds:0.#} s deadline per call, no retry");

    public async Task<OverloadRunResult> RunAsync(Action<ILoggingBuilder> configureServerLogging, CancellationToken cancellationToken)
    {
        await using var server = await InProcessChaosServer.StartAsync(configureServerLogging, cancellationToken);
        server.Chaos.Apply(new ChaosOptions
        {
            Enabled = true,
            ErrorRate = 0,
            HangRate = 0,
            CapacityHandlers = timings.Handlers,
            ServiceTime = timings.ServiceTime,
            Overflow = overflow,
        });

        // Several HTTP/2 connections, as a client under load needs: one holds at most 100 calls in flight.
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions
        {
            LoggerFactory = loggers,
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true },
            DisposeHttpClient = true,
        });
        var invoker = withLibrary ? channel.WithResilience(new ResilienceOptions(), loggerFactory: loggers) : channel.CreateCallInvoker();
        var client = new UnstableService.UnstableServiceClient(invoker);

        // The connection is opened outside the story, on the bare channel, so the library starts with nothing learned.
        var plain = new UnstableService.UnstableServiceClient(channel);
        for (var i = 0; i < 5; i++)
        {
            await plain.ProcessAsync(new ProcessRequest { RequestId = "warm-up" }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
        }

        OverloadDemoLog.RunStarted(narration, withLibrary ? 2 : 1, name, Description);
        var counters = new WindowCounters(timings.Windows, timings.Window);
        var clock = new Stopwatch();
        var load = new OpenLoopLoad(timings, counters, () => server.Statistics.TotalCalls, w => WindowEnded(counters, w));
        watcher.OnOpened = () => Interlocked.Increment(ref breakerOpenings);
        try
        {
            PhaseStarted(0);
            clock.Start();
            var calls = await load.RunAsync(clock, n => CallAsync(client, n, counters, clock, cancellationToken));
            var loadSeconds = clock.Elapsed.TotalSeconds;
            var unfinished = 0L;
            try
            {
                await Task.WhenAll(calls).WaitAsync(timings.Drain, cancellationToken);
            }
            catch (TimeoutException)
            {
                unfinished = calls.Count(c => !c.IsCompleted);
            }

            OverloadDemoLog.RunEnded(narration, name, loadSeconds, counters.Late, unfinished);
            var windows = Enumerable.Range(0, counters.Count).Select(counters.Snapshot).ToList();
            return new OverloadRunResult(name, withLibrary, Description, windows, Volatile.Read(ref breakerOpenings), counters.Late, unfinished, timings);
        }
        finally
        {
            watcher.OnOpened = null;
        }
    }

    private async Task CallAsync(UnstableService.UnstableServiceClient client, long number, WindowCounters counters, Stopwatch clock, CancellationToken cancellationToken)
    {
        OverloadOutcome outcome;
        try
        {
            var request = new ProcessRequest { RequestId = "load-" + number.ToString(CultureInfo.InvariantCulture), Payload = "hello" };
            DateTime? deadline = withLibrary ? null : DateTime.UtcNow + timings.BareDeadline;
            await client.ProcessAsync(request, deadline: deadline, cancellationToken: cancellationToken);
            outcome = OverloadOutcome.Ok;
        }
        catch (RpcException ex)
        {
            outcome = OverloadOutcomes.Of(ex);
        }

        counters.Ended(clock.Elapsed, outcome);
    }

    private void WindowEnded(WindowCounters counters, int index)
    {
        var w = counters.Snapshot(index);
        var from = timings.Window * index;
        OverloadDemoLog.Window(
            narration,
            name,
            from.TotalSeconds,
            (from + timings.Window).TotalSeconds,
            w.Offered,
            w.Ok,
            w.ServerUnavailable,
            w.DeadlineExceeded,
            w.RefusedLocally,
            w.BreakerRejected,
            w.Received);
        if (index + 1 == timings.FirstOverloadWindow || index + 1 == timings.FirstAfterWindow)
        {
            PhaseStarted(index + 1);
        }
    }

    private void PhaseStarted(int window)
    {
        var (share, length) = window == 0 ? (OverloadTimings.LowLoad, timings.Before)
            : window == timings.FirstOverloadWindow ? (OverloadTimings.HighLoad, timings.Overload)
            : (OverloadTimings.LowLoad, timings.After);
        OverloadDemoLog.PhaseStarted(narration, name, timings.Capacity * share, share, length.TotalSeconds);
    }
}
