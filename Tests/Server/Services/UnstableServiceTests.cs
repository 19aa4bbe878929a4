using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Server.Services;

public sealed class UnstableServiceTests
{
    private ChaosServerHost _host = null!;

    private static CallOptions Bounded => new(deadline: DateTime.UtcNow + ChaosServerHost.DefaultTimeout);

    [OneTimeSetUp]
    public async Task StartServer() => _host = await ChaosServerHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _host.DisposeAsync();

    [SetUp]
    public void ResetStatistics() => _host.Statistics.Reset();

    [Test]
    public async Task Process_HealthyRequest_EchoesIdAndDerivesResult()
    {
        var reply = await _host.Client.ProcessAsync(new ProcessRequest { RequestId = "r-1", Payload = "abc" }, Bounded);

        Assert.That(reply.RequestId, Is.EqualTo("r-1"));
        Assert.That(reply.Result, Is.EqualTo("processed 3 chars: cba"));
        Assert.That(_host.Statistics.CallsTo("Process"), Is.EqualTo(1));
    }

    [Test]
    public async Task Process_MissingRequestId_FailsWithInvalidArgument()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _host.Client.ProcessAsync(new ProcessRequest { Payload = "x" }, Bounded));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(ex.Status.Detail, Does.Contain("request_id"));
    }

    [Test]
    public async Task Process_PayloadTooLong_FailsWithInvalidArgument()
    {
        var request = new ProcessRequest { RequestId = "r", Payload = new string('x', (64 * 1024) + 1) };

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _host.Client.ProcessAsync(request, Bounded));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(ex.Status.Detail, Does.Contain("payload"));
    }

    [TestCase(0)]
    [TestCase(3)]
    [TestCase(1000)]
    public async Task Subscribe_ValidCount_StreamsThatManyEventsInSequence(int count)
    {
        using var call = _host.Client.Subscribe(new SubscribeRequest { Count = count }, Bounded);

        var events = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.That(events.Select(e => e.Sequence), Is.EqualTo(Enumerable.Range(1, count)));
        Assert.That(events.Select(e => e.Payload), Is.All.StartsWith("event "));
    }

    [TestCase(-1)]
    [TestCase(1001)]
    public async Task Subscribe_CountOutOfRange_FailsWithInvalidArgument(int count)
    {
        using var call = _host.Client.Subscribe(new SubscribeRequest { Count = count }, Bounded);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.ReadAllAsync().ToListAsync());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(ex.Status.Detail, Does.Contain("count must be between 0 and 1000"));
    }

    [TestCase(-1)]
    [TestCase(10_001)]
    public async Task Subscribe_IntervalOutOfRange_FailsWithInvalidArgument(int intervalMs)
    {
        using var call = _host.Client.Subscribe(new SubscribeRequest { Count = 2, IntervalMs = intervalMs }, Bounded);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.ReadAllAsync().ToListAsync());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(ex.Status.Detail, Does.Contain("interval_ms must be between 0 and 10000"));
    }

    [Test]
    public async Task Subscribe_Interval_WaitsThatLongBetweenEventsOnTheServersClock()
    {
        var time = new FakeTimeProvider();
        var clock = new CountingTimeProvider(time);
        await using var host = await ChaosServerHost.StartAsync(timeProvider: clock);
        var timers = clock.TimersCreated;
        using var call = host.Client.Subscribe(new SubscribeRequest { Count = 2, IntervalMs = 5000 }, Bounded);

        Assert.That(await call.ResponseStream.MoveNext().WaitAsync(ChaosServerHost.DefaultTimeout), Is.True, "the first event at once");
        var second = call.ResponseStream.MoveNext();
        await WaitUntil(() => clock.TimersCreated > timers);
        time.Pass(TimeSpan.FromMilliseconds(4999));
        Assert.That(second.IsCompleted, Is.False, "not before 5 s");
        time.Pass(TimeSpan.FromMilliseconds(1));

        Assert.That(await second.WaitAsync(ChaosServerHost.DefaultTimeout), Is.True);
        Assert.That(call.ResponseStream.Current.Sequence, Is.EqualTo(2));
        Assert.That(await call.ResponseStream.MoveNext().WaitAsync(ChaosServerHost.DefaultTimeout), Is.False);
    }

    [Test]
    public async Task Upload_SeveralChunks_SumsBytesAndCountsChunks()
    {
        using var call = _host.Client.Upload(Bounded);
        foreach (var size in new[] { 10, 0, 1024 })
        {
            await call.RequestStream.WriteAsync(new Chunk { Data = ByteString.CopyFrom(new byte[size]) });
        }

        await call.RequestStream.CompleteAsync();
        var reply = await call.ResponseAsync;

        Assert.That(reply.TotalBytes, Is.EqualTo(1034));
        Assert.That(reply.Chunks, Is.EqualTo(3));
    }

    [Test]
    public async Task Echo_SeveralMessages_EchoesEachInOrder()
    {
        using var call = _host.Client.Echo(Bounded);
        var texts = new[] { "one", "two", "three" };
        var received = new List<string>();

        foreach (var text in texts)
        {
            await call.RequestStream.WriteAsync(new EchoMessage { Text = text });
            Assert.That(await call.ResponseStream.MoveNext(), Is.True);
            received.Add(call.ResponseStream.Current.Text);
        }

        await call.RequestStream.CompleteAsync();

        Assert.That(received, Is.EqualTo(texts));
        Assert.That(await call.ResponseStream.MoveNext(), Is.False);
    }

    [Test]
    public async Task Process_EveryCall_LogsOneLineWithMethodIdAndDecision()
    {
        _host.Logs.Clear();

        await _host.Client.ProcessAsync(new ProcessRequest { RequestId = "log-me", Payload = "secret" }, Bounded);

        var lines = _host.Logs.GetSnapshot().Where(r => r.Id.Name == "CallReceived").ToList();
        Assert.That(lines, Has.Count.EqualTo(1));
        Assert.That(lines[0].Message, Does.Contain("Process").And.Contain("log-me").And.Contain("ok"));
        Assert.That(lines[0].Message, Does.Not.Contain("secret"));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(ChaosServerHost.DefaultTimeout);
        while (!condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(2), timeout.Token);
        }
    }
}
