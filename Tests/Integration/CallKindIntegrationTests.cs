using Google.Protobuf;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Integration;

/// <summary>Every call kind through the default stack against the real chaos server, healthy and failing.</summary>
public sealed class CallKindIntegrationTests
{
    private static readonly TimeSpan Bound = ChaosServerHost.DefaultTimeout;
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromSeconds(3);
    private ChaosServerHost host = null!;

    [OneTimeSetUp]
    public async Task StartServer() => host = await ChaosServerHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await host.DisposeAsync();

    [SetUp]
    public void HealServer()
    {
        host.Controller.Apply(new ChaosOptions());
        host.Statistics.Reset();
    }

    [Test]
    public async Task Process_Healthy_Replies()
    {
        using var stack = new ResilienceStack(host);

        var call = stack.Client.ProcessAsync(new ProcessRequest { RequestId = "u1", Payload = "abc" });
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("processed 3 chars: cba"));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(host.Statistics.CallsTo("Process"), Is.EqualTo(1));
    }

    [Test]
    public async Task Process_Blocking_FailingThreeTimes_ThrowsUnavailableAfterThreeAttempts()
    {
        FailEveryCall();
        using var stack = new ResilienceStack(host);

        var blocking = Task.Run(() => stack.Client.Process(new ProcessRequest { RequestId = "b1" }));
        var error = await Assert.ThrowsAsync<RpcException>(() => stack.Drive(blocking, LongestBackoff));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(host.Statistics.CallsTo("Process"), Is.EqualTo(3));
    }

    [Test]
    public async Task Subscribe_Healthy_StreamsEveryEvent()
    {
        using var stack = new ResilienceStack(host);

        using var call = stack.Client.Subscribe(new SubscribeRequest { Count = 3 });
        var events = await call.ResponseStream.ReadAllAsync().Select(e => e.Sequence).ToListAsync().AsTask().WaitAsync(Bound);

        Assert.That(events, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(host.Statistics.CallsTo("Subscribe"), Is.EqualTo(1));
    }

    [Test]
    public async Task Subscribe_Failing_RetriedThreeTimesThenUnavailable()
    {
        FailEveryCall();
        using var stack = new ResilienceStack(host);

        using var call = stack.Client.Subscribe(new SubscribeRequest { Count = 3 });
        var error = await Assert.ThrowsAsync<RpcException>(() => stack.Drive(call.ResponseStream.MoveNext(CancellationToken.None), LongestBackoff));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(host.Statistics.CallsTo("Subscribe"), Is.EqualTo(3));
    }

    [Test]
    public async Task Subscribe_FailsOnceThenHealthy_StreamsEveryEventFromTheSecondAttempt()
    {
        FailEveryCall();
        using var stack = new ResilienceStack(host);

        using var call = stack.Client.Subscribe(new SubscribeRequest { Count = 2 });
        var events = call.ResponseStream.ReadAllAsync().Select(e => e.Sequence).ToListAsync().AsTask();
        await stack.BackoffStarted(1);
        host.Controller.Apply(new ChaosOptions());
        var received = await stack.Drive(events, LongestBackoff);

        Assert.That(received, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(host.Statistics.CallsTo("Subscribe"), Is.EqualTo(2));
    }

    [Test]
    public async Task Upload_Healthy_SumsTheChunks()
    {
        using var stack = new ResilienceStack(host);

        using var call = stack.Client.Upload();
        await call.RequestStream.WriteAsync(new Chunk { Data = ByteString.CopyFrom(1, 2, 3) }).WaitAsync(Bound);
        await call.RequestStream.WriteAsync(new Chunk { Data = ByteString.CopyFrom(4) }).WaitAsync(Bound);
        await call.RequestStream.CompleteAsync().WaitAsync(Bound);
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.TotalBytes, Is.EqualTo(4));
        Assert.That(reply.Chunks, Is.EqualTo(2));
        Assert.That(host.Statistics.CallsTo("Upload"), Is.EqualTo(1));
    }

    [Test]
    public async Task Upload_Failing_FailsOnceUnretriedWithUnavailable()
    {
        FailEveryCall();
        using var stack = new ResilienceStack(host);

        using var call = stack.Client.Upload();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(host.Statistics.CallsTo("Upload"), Is.EqualTo(1));
        Assert.That(stack.RetryClock.TimersCreated, Is.Zero);
    }

    [Test]
    public async Task Echo_Healthy_EchoesEachMessage()
    {
        using var stack = new ResilienceStack(host);

        using var call = stack.Client.Echo();
        await call.RequestStream.WriteAsync(new EchoMessage { Text = "one" }).WaitAsync(Bound);
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        Assert.That(call.ResponseStream.Current.Text, Is.EqualTo("one"));
        await call.RequestStream.WriteAsync(new EchoMessage { Text = "two" }).WaitAsync(Bound);
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        Assert.That(call.ResponseStream.Current.Text, Is.EqualTo("two"));
        await call.RequestStream.CompleteAsync().WaitAsync(Bound);

        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.False);
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(host.Statistics.CallsTo("Echo"), Is.EqualTo(1));
    }

    [Test]
    public async Task Echo_Failing_FailsOnceUnretriedWithUnavailable()
    {
        FailEveryCall();
        using var stack = new ResilienceStack(host);

        using var call = stack.Client.Echo();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(host.Statistics.CallsTo("Echo"), Is.EqualTo(1));
        Assert.That(stack.RetryClock.TimersCreated, Is.Zero);
    }

    [Test]
    public async Task AllCallKinds_CircuitOpen_FailAtOnceWithBrokenCircuitAndReachNoServer()
    {
        using var stack = new ResilienceStack(host);
        stack.Breaker.Isolate();

        var unary = stack.Client.ProcessAsync(new ProcessRequest { RequestId = "u" });
        using var subscribe = stack.Client.Subscribe(new SubscribeRequest { Count = 1 });
        using var upload = stack.Client.Upload();
        using var echo = stack.Client.Echo();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => unary.ResponseAsync.WaitAsync(Bound));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => subscribe.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => upload.ResponseAsync.WaitAsync(Bound));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => echo.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        Assert.That(host.Statistics.TotalCalls, Is.Zero);
        Assert.That(stack.RetryClock.TimersCreated, Is.Zero, "a refused call is never retried");
    }

    [Test]
    public async Task Subscribe_CallerCancelsDuringBackoff_FailsWithCancelled()
    {
        FailEveryCall();
        using var stack = new ResilienceStack(host);
        using var cts = new CancellationTokenSource();

        using var call = stack.Client.Subscribe(new SubscribeRequest { Count = 1 }, cancellationToken: cts.Token);
        var move = call.ResponseStream.MoveNext(CancellationToken.None);
        await stack.BackoffStarted(1);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => move.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(host.Statistics.CallsTo("Subscribe"), Is.EqualTo(1));
    }

    private void FailEveryCall() => host.Controller.Apply(new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0 });
}
