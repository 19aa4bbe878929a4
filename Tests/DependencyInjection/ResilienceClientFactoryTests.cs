using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.DependencyInjection;

/// <summary>AddResilience on the gRPC client factory, against the real chaos server hosted in-process.</summary>
public sealed class ResilienceClientFactoryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private ChaosServerHost host = null!;

    [OneTimeSetUp]
    public async Task StartServer() =>
        host = await ChaosServerHost.StartAsync(o =>
        {
            o.Enabled = true;
            o.ErrorRate = 1;
            o.HangRate = 0;
        });

    [OneTimeTearDown]
    public async Task StopServer() => await host.DisposeAsync();

    [SetUp]
    public void ResetServer() => host.Statistics.Reset();

    [Test]
    public async Task AddResilience_BreakerOpenedThroughOneClient_NewClientInstanceRejectedAtOnce()
    {
        await using var services = Services("unstable", o => o.Retry = null);
        var factory = services.GetRequiredService<GrpcClientFactory>();

        var first = factory.CreateClient<UnstableService.UnstableServiceClient>("unstable");
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => first.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        }

        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(5));

        var second = factory.CreateClient<UnstableService.UnstableServiceClient>("unstable");
        var fromDi = services.CreateScope().ServiceProvider.GetRequiredService<UnstableService.UnstableServiceClient>();
        Assert.That(second, Is.Not.SameAs(first));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => second.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => fromDi.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(5), "rejected calls never reach the server");
    }

    [Test]
    public async Task AddResilience_Defaults_RetryThenBreakerThenDeadlineDrivenByDiClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var clock = new CountingTimeProvider(time);
        await using var services = Services("unstable", configure: null, clock);
        using var attempts = new MetricCollector<long>(services.GetRequiredService<IMeterFactory>(), ResilienceTelemetry.MeterName, "grpc.client.attempt.started");
        var client = services.GetRequiredService<GrpcClientFactory>().CreateClient<UnstableService.UnstableServiceClient>("unstable");

        // Default jitter is ±20 %: advancing by the upper bound of each backoff (1.2 s, 2.4 s) ends every wait.
        for (var call = 0; call < 5; call++)
        {
            var failing = client.ProcessAsync(Request()).ResponseAsync;
            await Drive(clock, time, failing, 2 * call, 1.2, 2.4);
            var error = await Assert.ThrowsAsync<RpcException>(() => failing.WaitAsync(Bound));
            Assert.That(error, Is.Not.InstanceOf<BrokenCircuitException>(), $"call {call + 1} used its 3 attempts");
            Assert.That(host.Statistics.TotalCalls, Is.EqualTo(3 * (call + 1)), $"call {call + 1}: {error!.Status}");
        }

        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(15), "3 attempts reach the server per call");
        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(15), "the breaker below retry opened on the 15th failed attempt: 5 calls × 3");
        Assert.That(attempts.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(15), "meter factory taken from DI");
        Assert.That(attempts.GetMeasurementSnapshot().Select(m => m.Tags["grpc.target"]), Is.All.EqualTo(host.BaseAddress.Authority));

        var logs = services.GetFakeLogCollector().GetSnapshot();
        Assert.That(logs.Count(r => r.Id.Name == "AttemptFailed"), Is.EqualTo(10), "logger factory taken from DI");
        Assert.That(
            logs.Single(r => r.Id.Name == "CircuitOpenedOnAttempts").Message,
            Does.StartWith("Circuit 'unstable' opened after 15 failed attempts in a row"));
    }

    [Test]
    public async Task AddResilience_FakeClockInDi_BreakDurationRunsOnFakeTime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = Services("unstable", o => o.Retry = null, time);
        using var transitions = new MetricCollector<long>(
            services.GetRequiredService<IMeterFactory>(), ResilienceTelemetry.MeterName, "resilientgrpc.circuit_breaker.transitions");
        var client = services.GetRequiredService<GrpcClientFactory>().CreateClient<UnstableService.UnstableServiceClient>("unstable");
        for (var i = 0; i < 5; i++)
        {
            await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        time.Pass(TimeSpan.FromSeconds(30));
        await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(6), "the probe passed once the fake break elapsed");
        Assert.That(
            transitions.GetMeasurementSnapshot().Select(m => $"{m.Tags["from"]}->{m.Tags["to"]}"),
            Is.EqualTo(new[] { "closed->open", "open->half_open", "half_open->open" }),
            "meter factory taken from DI");
        Assert.That(
            services.GetFakeLogCollector().GetSnapshot().Select(r => r.Id.Name),
            Does.Contain("CircuitOpened").And.Contain("CircuitReopened"),
            "logger factory taken from DI");
    }

    [Test]
    public async Task AddResilience_NoBreakerName_BreakerNamedAfterClient()
    {
        await using var services = Services("orders", o => o.Retry = null);
        using var collector = new MetricCollector<long>(
            services.GetRequiredService<IMeterFactory>(), ResilienceTelemetry.MeterName, "resilientgrpc.circuit_breaker.transitions");
        var client = services.GetRequiredService<GrpcClientFactory>().CreateClient<UnstableService.UnstableServiceClient>("orders");

        for (var i = 0; i < 5; i++)
        {
            await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        }

        Assert.That(collector.GetMeasurementSnapshot().Single().Tags["breaker"], Is.EqualTo("orders"));
        Assert.That(
            services.GetFakeLogCollector().GetSnapshot().Single(r => r.Id.Name == "CircuitOpened").Message,
            Does.StartWith("Circuit 'orders' opened"));
    }

    [Test]
    public async Task AddResilience_TwoNamedClients_SeparateBreakers()
    {
        var collection = new ServiceCollection();
        Register(collection, "a", o => o.Retry = null);
        Register(collection, "b", o => o.Retry = null);
        await using var services = collection.BuildServiceProvider();
        var factory = services.GetRequiredService<GrpcClientFactory>();
        var a = factory.CreateClient<UnstableService.UnstableServiceClient>("a");

        for (var i = 0; i < 6; i++)
        {
            await Assert.CatchAsync<RpcException>(() => a.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        }

        var b = factory.CreateClient<UnstableService.UnstableServiceClient>("b");
        var error = await Assert.ThrowsAsync<RpcException>(() => b.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        Assert.That(error, Is.Not.InstanceOf<BrokenCircuitException>(), "client b has its own, closed breaker");
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(6));
    }

    private static ProcessRequest Request() => new() { RequestId = "r1" };

    [Test]
    public async Task AddResilience_HedgingOnProcess_SendsThreeHedgesWithoutWaitingForABackoff()
    {
        // Time that never moves: a retry backoff would never end, a hedge after UNAVAILABLE needs no time.
        await using var services = Services(
            "hedged",
            o => o.Hedging = new HedgingOptions { HedgedMethods = { "/unstable.v1.UnstableService/Process" } },
            new FakeTimeProvider(DateTimeOffset.UtcNow));
        var client = services.GetRequiredService<GrpcClientFactory>().CreateClient<UnstableService.UnstableServiceClient>("hedged");

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest { RequestId = "h1" }).ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(3), "three hedges, and no retry of the hedged method");
    }

    private ServiceProvider Services(string name, Action<ResilienceOptions>? configure, TimeProvider? time = null)
    {
        var collection = new ServiceCollection();
        if (time is not null)
        {
            collection.AddSingleton(time);
        }

        Register(collection, name, configure);
        return collection.BuildServiceProvider();
    }

    private void Register(IServiceCollection collection, string name, Action<ResilienceOptions>? configure)
    {
        collection.AddMetrics().AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace));
        collection
            .AddGrpcClient<UnstableService.UnstableServiceClient>(name, o => o.Address = host.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => new NonDisposingHandler(host.HttpHandler))
            .AddResilience(configure);
    }

    /// <summary>Advances past each backoff once its timer exists; <paramref name="timersBefore"/> were made by earlier calls.</summary>
    private static async Task Drive(CountingTimeProvider clock, FakeTimeProvider time, Task call, int timersBefore, params double[] backoffs)
    {
        for (var i = 0; i < backoffs.Length; i++)
        {
            var waits = timersBefore + i + 1;
            await Until(() => clock.TimersCreated >= waits || call.IsCompleted);
            if (call.IsCompleted)
            {
                return;
            }

            time.Pass(TimeSpan.FromSeconds(backoffs[i]));
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && started.Elapsed < Bound)
        {
            await Task.Delay(5);
        }

        Assert.That(condition(), Is.True, "the expected state was never reached");
    }

    /// <summary>Lets the client factory own a handler without disposing the host's shared one.</summary>
    private sealed class NonDisposingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // The host disposes the shared handler.
        }
    }
}
