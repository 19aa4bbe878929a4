using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using ResilientGrpc.Client.Hosting;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Client.Fleet;

/// <summary>
/// One run of the fleet demo: fresh replicas, one <c>static:///fleet</c> channel over them with retry -> breaker ->
/// deadline on top, a few callers sending calls through three phases while replica 2 goes down and comes back.
/// </summary>
internal sealed class FleetRun
{
    /// <summary>The index of the replica that goes down: replica 2.</summary>
    public const int BadReplica = 1;

    public const string HealthyPhase = "healthy";
    public const string DownPhase = "replica 2 down";
    public const string BackPhase = "replica 2 back";

    private const string Target = "static:///fleet";

    private readonly Lock gate = new();
    private readonly bool withEjection;
    private readonly FleetTimings timings;
    private readonly ILoggerFactory loggers;
    private readonly ILogger narration;
    private readonly OutlierEventWatcher watcher;
    private readonly string name;
    private IReadOnlyList<InProcessChaosServer> servers = [];
    private PhaseCounter current = new();
    private string currentPhase = string.Empty;
    private string badEndpoint = string.Empty;
    private long phaseStartBadReceived;
    private long? receivedBeforeEjection;
    private long? receivedAtEjection;
    private long? receivedAfterEjection;
    private int ejections;
    private int failedProbes;
    private int returns;
    private int otherEjections;

    public FleetRun(bool withEjection, FleetTimings timings, ILoggerFactory loggers, OutlierEventWatcher watcher)
    {
        this.withEjection = withEjection;
        this.timings = timings;
        this.loggers = loggers;
        this.watcher = watcher;
        narration = loggers.CreateLogger(FleetLog.Category);
        name = withEjection ? "with ejection" : "without ejection";
    }

    private string Description => withEjection
        ? "outlier_round_robin (UseOutlierDetection: 5 consecutive failures eject, base ejection time "
          + $"{timings.BaseEjectionTime.TotalSeconds:0.#} s), retry -> breaker -> deadline"
        : "round_robin, retry -> breaker -> deadline";

    public async Task<FleetRunResult> RunAsync(int replicas, Action<ILoggingBuilder> configureServerLogging, CancellationToken cancellationToken)
    {
        var started = new List<InProcessChaosServer>();
        try
        {
            for (var i = 0; i < replicas; i++)
            {
                started.Add(await InProcessChaosServer.StartAsync(configureServerLogging, cancellationToken));
            }

            servers = started;
            badEndpoint = EndpointOf(servers[BadReplica]);
            watcher.OnEvent = OnOutlierEvent;
            return await RunAgainstAsync(cancellationToken);
        }
        finally
        {
            watcher.OnEvent = null;
            foreach (var server in started)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static string EndpointOf(InProcessChaosServer server) => $"{server.Address.Host}:{server.Address.Port}";

    private async Task<FleetRunResult> RunAgainstAsync(CancellationToken cancellationToken)
    {
        var addresses = servers.Select(s => new BalancerAddress(s.Address.Host, s.Address.Port)).ToList();
        await using var services = new ServiceCollection()
            .AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses))
            .BuildServiceProvider();
        var channelOptions = new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            ServiceProvider = services,
            LoggerFactory = loggers,
        };
        if (withEjection)
        {
            channelOptions.UseOutlierDetection(o => o.BaseEjectionTime = timings.BaseEjectionTime, target: Target);
        }
        else
        {
            channelOptions.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
        }

        using var channel = GrpcChannel.ForAddress(Target, channelOptions);
        var time = TimeProvider.System;
        var retry = new RetryInterceptor(new RetryOptions { InitialBackoff = timings.InitialBackoff }, time, loggers);
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions { Name = "fleet" }, time, loggers);
        var deadline = new DeadlineInterceptor(new DeadlineOptions(), time, loggers);
        var client = new UnstableService.UnstableServiceClient(channel.Intercept(retry, breaker, deadline));
        breaker.StateChanged += (_, e) =>
        {
            if (e.NewState == CircuitState.Open)
            {
                CurrentCounter().BreakerOpened();
            }
        };

        FleetLog.RunStarted(narration, withEjection ? 2 : 1, name, Description, string.Join(", ", servers.Select((s, i) => $"{i + 1}={EndpointOf(s)}")));
        await channel.ConnectAsync(cancellationToken);

        // Every replica serves a few calls outside the story, so the first measured calls do not pay for connecting.
        var plain = new UnstableService.UnstableServiceClient(channel);
        for (var i = 0; i < servers.Count * 3; i++)
        {
            await plain.ProcessAsync(new ProcessRequest { RequestId = "warm-up" }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = new List<Task>();
        var bad = servers[BadReplica];
        var script = new (string Phase, TimeSpan Duration, string Narration, Action Apply)[]
        {
            (HealthyPhase, timings.Healthy, "every replica answers", () => { }),
            (DownPhase, timings.Down, $"replica 2 ({badEndpoint}) fails every call with UNAVAILABLE", () =>
                bad.Chaos.Update(o =>
                {
                    o.Enabled = true;
                    o.ErrorRate = 1;
                    o.HangRate = 0;
                    o.ErrorCodes = [StatusCode.Unavailable];
                    o.OutageEvery = null;
                    o.OutageFor = null;
                })),
            (BackPhase, timings.Recovery, $"replica 2 ({badEndpoint}) answers again (chaos off)", () => bad.Chaos.Update(o => o.Enabled = false)),
        };

        var phases = new List<FleetPhaseResult>();
        try
        {
            for (var i = 0; i < script.Length; i++)
            {
                var (phase, duration, text, apply) = script[i];
                var before = Received();
                var counter = new PhaseCounter();
                var phaseStarted = time.GetTimestamp();
                lock (gate)
                {
                    current = counter;
                    currentPhase = phase;
                    phaseStartBadReceived = before[BadReplica];
                }

                FleetLog.PhaseStarted(narration, name, phase, text);
                apply();
                if (i == 0)
                {
                    workers.AddRange(Enumerable.Range(0, timings.Workers)
                        .Select(w => Task.Run(() => CallLoopAsync(client, w, stop.Token, cancellationToken), CancellationToken.None)));
                }

                await Task.Delay(duration, cancellationToken);
                if (i == script.Length - 1)
                {
                    await stop.CancelAsync();
                    await Task.WhenAll(workers);
                }

                var after = Received();
                var received = after.Zip(before, (a, b) => a - b).ToList();
                var result = new FleetPhaseResult(phase, time.GetElapsedTime(phaseStarted), counter.Calls, counter.Succeeded, received, counter.BreakerOpenings, counter.MeanCall);
                phases.Add(result);
                FleetLog.PhaseEnded(narration, name, phase, result.Duration.TotalSeconds, result.Calls, result.Succeeded, string.Join(", ", received));
                if (phase == DownPhase)
                {
                    EndDownPhase(after[BadReplica]);
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        lock (gate)
        {
            var ejection = new FleetEjection(
                ejections,
                receivedBeforeEjection,
                receivedAfterEjection,
                failedProbes,
                returns,
                otherEjections);
            return new FleetRunResult(name, withEjection, Description, [.. servers.Select(EndpointOf)], phases, ejection);
        }
    }

    private void EndDownPhase(long badReceivedAtEnd)
    {
        lock (gate)
        {
            if (receivedAtEjection is { } at)
            {
                receivedAfterEjection = badReceivedAtEnd - at;
            }
        }
    }

    private PhaseCounter CurrentCounter()
    {
        lock (gate)
        {
            return current;
        }
    }

    private long[] Received() => [.. servers.Select(s => s.Statistics.TotalCalls)];

    private async Task CallLoopAsync(UnstableService.UnstableServiceClient client, int worker, CancellationToken stop, CancellationToken cancellationToken)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            bool succeeded;
            var started = TimeProvider.System.GetTimestamp();
            try
            {
                await client.ProcessAsync(new ProcessRequest { RequestId = $"w{worker}-{n}", Payload = "hello" }, cancellationToken: cancellationToken);
                succeeded = true;
            }
            catch (RpcException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException)
            {
                succeeded = false;
            }

            CurrentCounter().CallEnded(succeeded, TimeProvider.System.GetElapsedTime(started));
            try
            {
                await Task.Delay(timings.CallInterval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnOutlierEvent(OutlierEvent e)
    {
        var ejection = e.EventId is OutlierEvent.Ejected or OutlierEvent.EjectedOnPercentage or OutlierEvent.ProbeFailed;
        lock (gate)
        {
            if (e.Endpoint != badEndpoint)
            {
                otherEjections += ejection ? 1 : 0;
                return;
            }

            if (ejection)
            {
                ejections++;
            }

            if (e.EventId is OutlierEvent.Ejected or OutlierEvent.EjectedOnPercentage && receivedAtEjection is null && currentPhase == DownPhase)
            {
                receivedAtEjection = servers[BadReplica].Statistics.TotalCalls;
                receivedBeforeEjection = receivedAtEjection - phaseStartBadReceived;
            }
            else if (e.EventId == OutlierEvent.ProbeFailed && currentPhase == DownPhase)
            {
                failedProbes++;
            }
            else if (e.EventId == OutlierEvent.Returned)
            {
                returns++;
            }
        }
    }

    /// <summary>What the callers saw in one phase.</summary>
    private sealed class PhaseCounter
    {
        private long calls;
        private long succeeded;
        private int breakerOpenings;
        private long callTicks;

        public long Calls => Interlocked.Read(ref calls);

        public long Succeeded => Interlocked.Read(ref succeeded);

        public int BreakerOpenings => Volatile.Read(ref breakerOpenings);

        public TimeSpan MeanCall => Calls == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Interlocked.Read(ref callTicks) / Calls);

        public void CallEnded(bool ok, TimeSpan elapsed)
        {
            Interlocked.Add(ref callTicks, elapsed.Ticks);
            Interlocked.Increment(ref calls);
            if (ok)
            {
                Interlocked.Increment(ref succeeded);
            }
        }

        public void BreakerOpened() => Interlocked.Increment(ref breakerOpenings);
    }
}
