using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Deadline;

/// <summary>
/// <see cref="DeadlineOptions.StreamIdleTimeouts"/>: a stream with no message for that long ends with
/// DEADLINE_EXCEEDED; received messages (for client streaming, written ones) restart the clock.
/// </summary>
public sealed class DeadlineInterceptorIdleTests : StreamDeadlineTestBase
{
    [Test]
    public async Task AsyncServerStreamingCall_MessagesComeInTime_ResetTheIdleClockUntilSilenceCutsIt()
    {
        StreamTimed(StreamScripts.Event, [0, 20, 20], thenSilent: true);
        using var call = Client(IdleOf(Subscribe, 30)).Subscribe(new SubscribeRequest());

        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        for (var i = 0; i < 2; i++)
        {
            var next = call.ResponseStream.MoveNext(CancellationToken.None);
            Advance(20);
            Assert.That(await next.WaitAsync(Bound), Is.True, "20 s apart, 60 s in all, against a 30 s idle timeout");
        }

        var silent = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(29.999);
        Assert.That(silent.IsCompleted, Is.False);
        Advance(0.001);

        var error = await Fails(silent);
        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(error.Status.Detail, Is.EqualTo("The stream was idle for 30 s."));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Arrival.Options.CancellationToken.IsCancellationRequested, Is.True);
        Assert.That(Clock.LiveTimers, Is.Zero);
    }

    [Test]
    public async Task AsyncServerStreamingCall_IdleWithoutFirstResponseLimit_CountsFromTheStartOfTheCall()
    {
        Stream(StreamScripts.Silent);
        var options = new DeadlineOptions { Timeout = Timeout.InfiniteTimeSpan, StreamIdleTimeouts = { [Subscribe] = TimeSpan.FromSeconds(5) } };
        using var call = Client(options).Subscribe(new SubscribeRequest());

        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(4.999);
        Assert.That(next.IsCompleted, Is.False);
        Advance(0.001);

        Assert.That((await Fails(next)).Status.Detail, Is.EqualTo("The stream was idle for 5 s."));
    }

    [Test]
    public async Task AsyncServerStreamingCall_IdleShorterThanTimeout_CutsTheWaitForTheFirstResponseFirst()
    {
        Stream(StreamScripts.Silent);
        using var call = Client(IdleOf(Subscribe, 1)).Subscribe(new SubscribeRequest());

        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(1);

        Assert.That((await Fails(next)).Status.Detail, Is.EqualTo("The stream was idle for 1 s."));
    }

    [Test]
    public async Task AsyncServerStreamingCall_IdleAndMethodTimeout_BothApply()
    {
        StreamTimed(StreamScripts.Event, [0, 8, 8, 8], thenSilent: false);
        var options = new DeadlineOptions
        {
            MethodTimeouts = { [Subscribe] = TimeSpan.FromSeconds(20) },
            StreamIdleTimeouts = { [Subscribe] = TimeSpan.FromSeconds(10) },
        };
        using var call = Client(options).Subscribe(new SubscribeRequest());

        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        for (var i = 0; i < 2; i++)
        {
            var next = call.ResponseStream.MoveNext(CancellationToken.None);
            Advance(8);
            Assert.That(await next.WaitAsync(Bound), Is.True, "never idle for 10 s");
        }

        var last = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(4);

        var error = await Fails(last);
        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), "the whole-stream deadline of 20 s");
        Assert.That(error.Status.Detail, Is.Not.EqualTo("The stream was idle for 10 s."));
        Assert.That(Logs.GetSnapshot().Select(r => r.Message), Is.EqualTo(new[] { "Subscribe exceeded its deadline of 20 s" }));
    }

    [Test]
    public async Task AsyncDuplexStreamingCall_CallerKeepsWritingWhileServerIsSilent_IsCutIdle()
    {
        StreamTimed(StreamScripts.Echo, [0], thenSilent: true);
        using var call = Client(IdleOf(Echo, 10)).Echo();

        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        await call.RequestStream.WriteAsync(new EchoMessage { Text = "one" }).WaitAsync(Bound);
        Advance(5);
        await call.RequestStream.WriteAsync(new EchoMessage { Text = "two" }).WaitAsync(Bound);
        Advance(4.999);
        Assert.That(next.IsCompleted, Is.False);
        Advance(0.001);

        Assert.That((await Fails(next)).Status.Detail, Is.EqualTo("The stream was idle for 10 s."), "writes do not restart it");
        Assert.That((await Fails(call.RequestStream.WriteAsync(new EchoMessage()))).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
    }

    [Test]
    public async Task AsyncClientStreamingCall_WritesRestartTheIdleClockUntilTheCallerStops()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        using var call = Client(IdleOf(Upload, 10)).Upload();

        for (var i = 0; i < 6; i++)
        {
            await call.RequestStream.WriteAsync(new Chunk()).WaitAsync(Bound);
            Advance(8);
        }

        Assert.That(call.ResponseAsync.IsCompleted, Is.False, "48 s of writes 8 s apart");
        Advance(1.999);
        Assert.That(call.ResponseAsync.IsCompleted, Is.False);
        Advance(0.001);

        Assert.That((await Fails(call.ResponseAsync)).Status.Detail, Is.EqualTo("The stream was idle for 10 s."));
        Assert.That(Arrival.WrittenMessages, Has.Count.EqualTo(6));
    }

    [Test]
    public async Task AsyncClientStreamingCall_AnswerLate_IdleCountsFromTheCompletion()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var options = new DeadlineOptions { Timeout = TimeSpan.FromSeconds(30), StreamIdleTimeouts = { [Upload] = TimeSpan.FromSeconds(10) } };
        using var call = Client(options).Upload();

        Advance(9);
        await call.RequestStream.CompleteAsync().WaitAsync(Bound);
        Advance(9.999);
        Assert.That(call.ResponseAsync.IsCompleted, Is.False);
        Advance(0.001);

        Assert.That((await Fails(call.ResponseAsync)).Status.Detail, Is.EqualTo("The stream was idle for 10 s."));
    }

    [Test]
    public async Task StreamIdleTimeouts_ServiceKeyAndInfiniteMethodKey_FullMethodNameWins()
    {
        Stream(StreamScripts.Silent);
        var options = new DeadlineOptions
        {
            Timeout = Timeout.InfiniteTimeSpan,
            StreamIdleTimeouts = { [Service] = TimeSpan.FromSeconds(10), [Subscribe] = Timeout.InfiniteTimeSpan },
        };
        var client = Client(options);
        using var subscribe = client.Subscribe(new SubscribeRequest());
        using var echo = client.Echo();

        var subscribed = subscribe.ResponseStream.MoveNext(CancellationToken.None);
        var echoed = echo.ResponseStream.MoveNext(CancellationToken.None);
        Advance(10);

        Assert.That((await Fails(echoed)).Status.Detail, Is.EqualTo("The stream was idle for 10 s."));
        Advance(3600);
        Assert.That(subscribed.IsCompleted, Is.False, "Subscribe is exempt");
        subscribe.Dispose();
        Assert.That((await Fails(subscribed)).StatusCode, Is.EqualTo(StatusCode.Cancelled));
    }

    private static DeadlineOptions IdleOf(string method, double seconds) =>
        new() { StreamIdleTimeouts = { [method] = TimeSpan.FromSeconds(seconds) } };
}
