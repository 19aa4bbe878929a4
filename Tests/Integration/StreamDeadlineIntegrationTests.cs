using System.Diagnostics;
using System.Diagnostics.Metrics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Integration;

/// <summary>
/// Streams through the default stack (<c>WithResilience</c>) against the real chaos server, on real time with the
/// durations shrunk: the default timeout bounds only a stream's first response, so healthy long-lived streams live on
/// and never move the breaker, while a server that hangs is still cut, counted by the breaker, and sees the call end.
/// </summary>
public sealed class StreamDeadlineIntegrationTests
{
    private static readonly TimeSpan Bound = ChaosServerHost.DefaultTimeout;
    private static readonly TimeSpan FirstResponseLimit = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongerThanTheLimit = TimeSpan.FromMilliseconds(350);
    private ChaosServerHost host = null!;
    private ServiceProvider telemetry = null!;
    private GrpcChannel channel = null!;

    private FakeLogCollector Logs => telemetry.GetFakeLogCollector();

    [OneTimeSetUp]
    public async Task StartServer() => host = await ChaosServerHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await host.DisposeAsync();

    [SetUp]
    public void HealServerAndConnect()
    {
        host.Controller.Apply(new ChaosOptions());
        host.Statistics.Reset();
        telemetry = new ServiceCollection()
            .AddMetrics()
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Information))
            .BuildServiceProvider();
        channel = host.CreateChannel();
    }

    [TearDown]
    public void Disconnect()
    {
        channel.Dispose();
        telemetry.Dispose();
    }

    [Test]
    public async Task Echo_KeptAliveForSeveralTimeouts_EchoesEveryMessage()
    {
        var client = Client();
        var elapsed = Stopwatch.StartNew();

        using var call = client.Echo();
        for (var i = 1; i <= 4; i++)
        {
            if (i > 1)
            {
                await Task.Delay(LongerThanTheLimit);
            }

            await call.RequestStream.WriteAsync(new EchoMessage { Text = $"m{i}" }).WaitAsync(Bound);
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
            Assert.That(call.ResponseStream.Current.Text, Is.EqualTo($"m{i}"));
        }

        await call.RequestStream.CompleteAsync().WaitAsync(Bound);

        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.False);
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(elapsed.Elapsed, Is.GreaterThan(FirstResponseLimit * 4), "the stream outlived its first-response limit 4 times");
        Assert.That(host.Statistics.CallsTo("Echo"), Is.EqualTo(1));
        Assert.That(host.Statistics.AbandonedCalls, Is.Zero);
    }

    [Test]
    public async Task Subscribe_OutlivesTheTimeout_StreamsEveryEvent()
    {
        var client = Client();
        var elapsed = Stopwatch.StartNew();

        using var call = client.Subscribe(new SubscribeRequest { Count = 4, IntervalMs = 300 });
        var events = await call.ResponseStream.ReadAllAsync().Select(e => e.Sequence).ToListAsync().AsTask().WaitAsync(Bound);

        Assert.That(events, Is.EqualTo(new[] { 1, 2, 3, 4 }));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(elapsed.Elapsed, Is.GreaterThan(FirstResponseLimit * 3.5));
        Assert.That(host.Statistics.CallsTo("Subscribe"), Is.EqualTo(1));
    }

    [Test]
    public async Task Subscribe_ServerHangs_CutAtTheFirstResponseLimitCountedByTheBreakerAndAbandonedOnTheServer()
    {
        HangEveryCall();
        var client = Client(failureThreshold: 1);
        var elapsed = Stopwatch.StartNew();

        using var call = client.Subscribe(new SubscribeRequest { Count = 1 });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), error.Status.ToString());
        AssertCutAtTheLimit(elapsed);
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls == 1);
        Assert.That(host.Statistics.CallsTo("Subscribe"), Is.EqualTo(1), "DEADLINE_EXCEEDED is not retried");
        Assert.That(BreakerState(), Is.EqualTo(CircuitState.Open), "with a threshold of 1, the cut stream opened the breaker");
        Assert.That(Logs.GetSnapshot().Select(r => r.Message), Does.Contain("Subscribe got no response within 0.25 s"));
    }

    [Test]
    public async Task Upload_ServerHangs_CutAtTheFirstResponseLimitAfterTheRequestStreamCompletes()
    {
        HangEveryCall();
        var client = Client();

        using var call = client.Upload();
        await call.RequestStream.WriteAsync(new Chunk { Data = ByteString.CopyFrom(1, 2, 3) }).WaitAsync(Bound);
        await Task.Delay(LongerThanTheLimit);
        await call.RequestStream.CompleteAsync().WaitAsync(Bound);
        var elapsed = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), error.Status.ToString());
        AssertCutAtTheLimit(elapsed);
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls == 1);
        Assert.That(host.Statistics.CallsTo("Upload"), Is.EqualTo(1));
    }

    [Test]
    public async Task Echo_ServerHangs_CutAtTheFirstResponseLimitAndLaterWritesFail()
    {
        HangEveryCall();
        var client = Client();
        var elapsed = Stopwatch.StartNew();

        using var call = client.Echo();
        await call.RequestStream.WriteAsync(new EchoMessage { Text = "anyone?" }).WaitAsync(Bound);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), error.Status.ToString());
        AssertCutAtTheLimit(elapsed);
        var write = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new EchoMessage()).WaitAsync(Bound));
        Assert.That(write!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls == 1);
        Assert.That(host.Statistics.CallsTo("Echo"), Is.EqualTo(1));
    }

    [Test]
    public async Task LongLivedStreams_ManyLifetimes_NeverMoveTheBreaker()
    {
        // A threshold of 1: a single counted failure would open the breaker.
        var client = Client(failureThreshold: 1);

        var streams = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            streams.Add(SubscribeToTheEnd(client));
            streams.Add(ChatWithPauses(client));
        }

        streams.Add(SubscribeThenCancel(client));
        streams.Add(ChatThenDispose(client));
        await Task.WhenAll(streams).WaitAsync(Bound);

        Assert.That(BreakerState(), Is.EqualTo(CircuitState.Closed));
        Assert.That(Logs.GetSnapshot().Where(r => r.Category == "ResilientGrpc.CircuitBreaker"), Is.Empty, "no transition, no rejection");
        var reply = await client.ProcessAsync(new ProcessRequest { RequestId = "after" }).ResponseAsync.WaitAsync(Bound);
        Assert.That(reply.RequestId, Is.EqualTo("after"));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(11));
    }

    private static async Task SubscribeToTheEnd(UnstableService.UnstableServiceClient client)
    {
        using var call = client.Subscribe(new SubscribeRequest { Count = 3, IntervalMs = 300 });
        var events = await call.ResponseStream.ReadAllAsync().CountAsync();
        Assert.That(events, Is.EqualTo(3));
    }

    private static async Task ChatWithPauses(UnstableService.UnstableServiceClient client)
    {
        using var call = client.Echo();
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new EchoMessage { Text = $"m{i}" });
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
            await Task.Delay(LongerThanTheLimit);
        }

        await call.RequestStream.CompleteAsync();
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.False);
    }

    private static async Task SubscribeThenCancel(UnstableService.UnstableServiceClient client)
    {
        using var cts = new CancellationTokenSource();
        using var call = client.Subscribe(new SubscribeRequest { Count = 10, IntervalMs = 300 }, cancellationToken: cts.Token);
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        await Task.Delay(LongerThanTheLimit);
        Assert.That(await next, Is.True);
        await cts.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
    }

    private static async Task ChatThenDispose(UnstableService.UnstableServiceClient client)
    {
        var call = client.Echo();
        await call.RequestStream.WriteAsync(new EchoMessage { Text = "bye soon" });
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True);
        await Task.Delay(LongerThanTheLimit);
        call.Dispose();
    }

    private static void AssertCutAtTheLimit(Stopwatch elapsed)
    {
        Assert.That(elapsed.Elapsed, Is.GreaterThanOrEqualTo(FirstResponseLimit - TimeSpan.FromMilliseconds(20)), "not before the limit");
        Assert.That(elapsed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "long before the server's one-minute hang ends");
    }

    /// <summary>The defaults with the durations shrunk, stacked by <c>WithResilience</c>, logging and metering to this test.</summary>
    private UnstableService.UnstableServiceClient Client(int failureThreshold = 5) => new(channel.WithResilience(
        new ResilienceOptions
        {
            Deadline = new DeadlineOptions { Timeout = FirstResponseLimit },
            Retry = new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(40) },
            CircuitBreaker = new CircuitBreakerOptions { FailureThreshold = failureThreshold },
        },
        loggerFactory: telemetry.GetRequiredService<ILoggerFactory>(),
        meterFactory: telemetry.GetRequiredService<IMeterFactory>()));

    /// <summary>The breaker's state, as its state gauge reports it.</summary>
    private CircuitState BreakerState()
    {
        using var gauge = new MetricCollector<int>(
            telemetry.GetRequiredService<IMeterFactory>(), ResilienceTelemetry.MeterName, "resilientgrpc.circuit_breaker.state");
        gauge.RecordObservableInstruments();
        return (CircuitState)gauge.GetMeasurementSnapshot().Single().Value;
    }

    private void HangEveryCall() =>
        host.Controller.Apply(new ChaosOptions { Enabled = true, ErrorRate = 0, HangRate = 1, HangDuration = TimeSpan.FromMinutes(1) });
}
