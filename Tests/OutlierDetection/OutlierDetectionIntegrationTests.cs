using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.OutlierDetection;

/// <summary>
/// Three Kestrel replicas behind one <c>static:///</c> channel balanced by <c>outlier_round_robin</c>, with retry,
/// breaker and deadline on top; one replica fails every call with <c>UNAVAILABLE</c>. The detector runs on a fake clock,
/// so an ejection lasts until the test moves it on.
/// </summary>
[NonParallelizable]
public sealed class OutlierDetectionIntegrationTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task OneFailingReplica_IsEjected_NoAttemptReachesItUntilItsProbe_AndTheBreakerStaysClosed()
    {
        await using var fleet = await ReplicaSet.StartAsync(
            new ChaosOptions(),
            new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0, ErrorCodes = [StatusCode.Unavailable] },
            new ChaosOptions());
        var bad = fleet.Replicas[1];
        var detectorTime = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Information));
        var services = new ServiceCollection()
            .AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => [.. fleet.Replicas.Select(r => new BalancerAddress(r.EndPoint.Host, r.EndPoint.Port))]))
            .BuildServiceProvider();
        using var channel = GrpcChannel.ForAddress("static:///fleet", new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            ServiceProvider = services,
            LoggerFactory = loggerFactory,
        }.UseOutlierDetection(timeProvider: detectorTime, target: "static:///fleet"));
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions(), TimeProvider.System);
        var retry = new RetryInterceptor(new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(5), JitterFactor = 0 }, TimeProvider.System);
        var client = new UnstableService.UnstableServiceClient(channel.Intercept(retry, breaker, new DeadlineInterceptor(new DeadlineOptions(), TimeProvider.System)));
        await channel.ConnectAsync().WaitAsync(Bound);

        // Phase 1: the bad replica takes its share until its fifth failure in a row ejects it; retries go elsewhere.
        await Calls(client, 30);
        var ejectedAfter = bad.Statistics.TotalCalls;
        Assert.That(ejectedAfter, Is.EqualTo(5), "five failed attempts in a row, then no more");
        Assert.That(logs.GetSnapshot().Select(r => r.Message), Does.Contain($"Endpoint {bad.Name} ejected for 30 s after 5 consecutive failures"));

        // Phase 2: ejected, it receives nothing.
        await Calls(client, 30);
        Assert.That(bad.Statistics.TotalCalls, Is.EqualTo(ejectedAfter), "no attempt reaches an ejected replica");

        // Phase 3: the ejection is over; one probe goes, fails, and ejects it again for twice as long.
        detectorTime.Pass(TimeSpan.FromSeconds(30));
        await Calls(client, 30);
        Assert.That(bad.Statistics.TotalCalls, Is.EqualTo(ejectedAfter + 1), "exactly one probe");
        Assert.That(logs.GetSnapshot().Select(r => r.Message), Does.Contain($"Endpoint {bad.Name} ejected again for 60 s: its readmission probe failed"));

        // Phase 4: the replica recovers; after the longer ejection its probe succeeds and it takes traffic again.
        bad.Controller.Update(o => o.Enabled = false);
        detectorTime.Pass(TimeSpan.FromSeconds(60));
        await Calls(client, 30);
        Assert.That(bad.Statistics.TotalCalls, Is.GreaterThan(ejectedAfter + 5), "readmitted: its round-robin share again");
        Assert.That(logs.GetSnapshot().Select(r => r.Message), Does.Contain($"Endpoint {bad.Name} returned after 90 s"));

        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "one bad replica of three never opens the channel's breaker");
        Assert.That(fleet.Replicas.Sum(r => r.Statistics.TotalCalls), Is.GreaterThanOrEqualTo(120));
    }

    [Test]
    public async Task OneFailingReplica_ConcurrentCalls_AllSucceed_RetriesLeaveTheFailingReplica()
    {
        await using var fleet = await ReplicaSet.StartAsync(
            new ChaosOptions(),
            new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0, ErrorCodes = [StatusCode.Unavailable] },
            new ChaosOptions());
        var services = new ServiceCollection()
            .AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => [.. fleet.Replicas.Select(r => new BalancerAddress(r.EndPoint.Host, r.EndPoint.Port))]))
            .BuildServiceProvider();
        using var channel = GrpcChannel.ForAddress("static:///fleet", new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            ServiceProvider = services,
        }.UseOutlierDetection(timeProvider: new FakeTimeProvider(DateTimeOffset.UtcNow)));
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions(), TimeProvider.System);

        // Two attempts only: a retry that went back to the failing replica would fail the call.
        var retry = new RetryInterceptor(new RetryOptions { MaxAttempts = 2, InitialBackoff = TimeSpan.FromMilliseconds(5), JitterFactor = 0 }, TimeProvider.System);
        var client = new UnstableService.UnstableServiceClient(channel.Intercept(retry, breaker));
        await channel.ConnectAsync().WaitAsync(Bound);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Calls(client, 25))));

        Assert.That(fleet.Replicas[1].Statistics.TotalCalls, Is.InRange(5, 5 + 8), "five failures eject it; at most the attempts then in flight follow");
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task HungReplica_DeadlinePassing_CountsAsItsFailure_CallerCancellationDoesNot()
    {
        await using var fleet = await ReplicaSet.StartAsync(
            new ChaosOptions { Enabled = true, ErrorRate = 0, HangRate = 1, HangDuration = TimeSpan.FromSeconds(30) });
        var hung = fleet.Replicas[0];
        var logs = new FakeLogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Information));
        var services = new ServiceCollection()
            .AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => [new BalancerAddress(hung.EndPoint.Host, hung.EndPoint.Port)]))
            .BuildServiceProvider();
        using var channel = GrpcChannel.ForAddress("static:///hung", new GrpcChannelOptions
        {
            // Below the status handler, the deadline is taken off the wire: the server cannot answer DEADLINE_EXCEEDED
            // itself, so only the client's cancellation at the deadline can count.
            HttpHandler = new ClientDeadlineOnlyHandler(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }),
            DisposeHttpClient = true,
            Credentials = ChannelCredentials.Insecure,
            ServiceProvider = services,
            LoggerFactory = loggerFactory,
        }.UseOutlierDetection(o => o.ConsecutiveFailures = 1, target: "static:///hung"));
        var client = new UnstableService.UnstableServiceClient(channel);
        await channel.ConnectAsync().WaitAsync(Bound);

        // The caller gives up long before the deadline: nothing is counted.
        using (var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
        {
            var cancelled = await Assert.ThrowsAsync<RpcException>(async () =>
                await client.ProcessAsync(new ProcessRequest { RequestId = "c" }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: cancellation.Token));
            Assert.That(cancelled!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        }

        // The deadline passes while the replica hangs: grpc-dotnet cancels the HTTP request, and that is the replica's failure.
        var expired = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.ProcessAsync(new ProcessRequest { RequestId = "d" }, deadline: DateTime.UtcNow.AddMilliseconds(300)));
        Assert.That(expired!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));

        // The one endpoint cannot be ejected (the cap keeps one), so the failure shows as an unenforced ejection.
        await WaitFor(() => logs.GetSnapshot().Any(r => r.Message.StartsWith($"Endpoint {hung.Name} not ejected", StringComparison.Ordinal)));
        Assert.That(logs.GetSnapshot().Count(r => r.Message.StartsWith($"Endpoint {hung.Name} not ejected", StringComparison.Ordinal)), Is.EqualTo(1), "only the deadline counted");
    }

    private static async Task Calls(UnstableService.UnstableServiceClient client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var reply = await client.ProcessAsync(new ProcessRequest { RequestId = $"r{i}" }).ResponseAsync.WaitAsync(Bound);
            Assert.That(reply.RequestId, Is.EqualTo($"r{i}"));
        }
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
