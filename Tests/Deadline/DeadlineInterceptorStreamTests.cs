using Google.Protobuf;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Deadline;

/// <summary>
/// Streams under the default timeout: it bounds only the wait for the first response, so a healthy long-lived stream
/// lives as long as its caller wants while a server that never answers is cut.
/// </summary>
public sealed class DeadlineInterceptorStreamTests : StreamDeadlineTestBase
{
    [Test]
    public async Task AsyncServerStreamingCall_NoFirstResponse_FailsWithDeadlineExceededAtExactlyTimeoutAndCancelsTheCall()
    {
        Stream(StreamScripts.Silent);
        using var call = Client(new DeadlineOptions()).Subscribe(new SubscribeRequest());

        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        var headers = call.ResponseHeadersAsync;
        Time.Pass(TimeSpan.FromMilliseconds(1999));
        Assert.That(next.IsCompleted, Is.False);
        Assert.That(Arrival.Options.CancellationToken.IsCancellationRequested, Is.False);
        Time.Pass(TimeSpan.FromMilliseconds(1));

        var error = await Fails(next);
        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(error.Status.Detail, Is.EqualTo("The stream got no response within 2 s."));
        Assert.That((await Fails(headers)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Arrival.Options.CancellationToken.IsCancellationRequested, Is.True, "the server sees the call cancelled");
        Assert.That(Clock.LiveTimers, Is.Zero);
    }

    [Test]
    public async Task AsyncServerStreamingCall_FirstMessageThenTenTimesTimeout_IsNotCut()
    {
        StreamTimed(StreamScripts.Event, [0, 20], thenSilent: false);
        using var call = Client(new DeadlineOptions()).Subscribe(new SubscribeRequest());

        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        Assert.That(Clock.LiveTimers, Is.Zero, "the first message stops the timer");
        var second = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(20);

        Assert.That(await second.WaitAsync(Bound), Is.True);
        Assert.That(call.ResponseStream.Current.Sequence, Is.EqualTo(2));
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.False);
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(Arrival.Options.CancellationToken.IsCancellationRequested, Is.False);
    }

    [Test]
    public async Task AsyncServerStreamingCall_HeadersBeforeAnyMessage_StopTheTimer()
    {
        Stream(StreamScripts.HeadersThenSilent);
        using var call = Client(new DeadlineOptions()).Subscribe(new SubscribeRequest());

        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        var headers = await call.ResponseHeadersAsync.WaitAsync(Bound);
        Advance(60);

        Assert.That(headers.GetValue("server"), Is.EqualTo("up"));
        Assert.That(Clock.LiveTimers, Is.Zero);
        Assert.That(next.IsCompleted, Is.False, "a minute after the headers, the stream still waits for its first message");
        Assert.That(Arrival.Options.CancellationToken.IsCancellationRequested, Is.False);
        call.Dispose();
        Assert.That((await Fails(next)).StatusCode, Is.EqualTo(StatusCode.Cancelled));
    }

    [Test]
    public async Task AsyncServerStreamingCall_HeadersTheCallerNeverAsksFor_StillStopTheTimer()
    {
        Stream(StreamScripts.HeadersThenSilent);
        using var call = Client(new DeadlineOptions()).Subscribe(new SubscribeRequest());

        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        await Until(() => Clock.LiveTimers == 0);
        Advance(60);

        Assert.That(next.IsCompleted, Is.False, "the server answered with its headers: the wait for a first response is over");
        Assert.That(Arrival.Options.CancellationToken.IsCancellationRequested, Is.False);
    }

    [Test]
    public async Task AsyncServerStreamingCall_CallerDeadlineLaterThanTimeout_StillBoundsTheStream()
    {
        StreamTimed(StreamScripts.Event, [0], thenSilent: true);
        var callerDeadline = Now.AddMinutes(1);
        using var call = Client(new DeadlineOptions()).Subscribe(new SubscribeRequest(), deadline: callerDeadline);

        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(59.999);
        Assert.That(next.IsCompleted, Is.False);
        Advance(0.001);

        Assert.That((await Fails(next)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Arrival.Deadline, Is.EqualTo(callerDeadline));
    }

    [Test]
    public async Task AsyncServerStreamingCall_CallerDeadlineEarlierThanTimeout_EndsTheStreamThenWithoutATimer()
    {
        Stream(StreamScripts.Silent);
        var callerDeadline = Now.AddSeconds(1);
        using var call = Client(new DeadlineOptions()).Subscribe(new SubscribeRequest(), deadline: callerDeadline);

        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(1);

        Assert.That((await Fails(next)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Arrival.Deadline, Is.EqualTo(callerDeadline));
        Assert.That(Clock.TimersCreated, Is.Zero, "the caller's deadline ends the wait first");
    }

    [Test]
    public async Task AsyncServerStreamingCall_MethodTimeout_IsAWholeStreamDeadlineAndReplacesTheFirstResponseLimit()
    {
        StreamTimed(StreamScripts.Event, [10], thenSilent: true);
        var options = new DeadlineOptions { MethodTimeouts = { [Subscribe] = TimeSpan.FromSeconds(30) } };
        using var call = Client(options).Subscribe(new SubscribeRequest());
        Assert.That(Arrival.Deadline, Is.EqualTo(Now.AddSeconds(30)));

        var first = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(10);
        Assert.That(await first.WaitAsync(Bound), Is.True, "a first message after 10 s is not cut at 2 s");
        var second = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(19.999);
        Assert.That(second.IsCompleted, Is.False);
        Advance(0.001);

        Assert.That((await Fails(second)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Clock.TimersCreated, Is.Zero);
    }

    [Test]
    public async Task AsyncServerStreamingCall_InfiniteTimeout_IsNeverCut()
    {
        Stream(StreamScripts.Silent);
        using var call = Client(new DeadlineOptions { Timeout = Timeout.InfiniteTimeSpan }).Subscribe(new SubscribeRequest());

        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(3600);

        Assert.That(next.IsCompleted, Is.False);
        Assert.That(Clock.TimersCreated, Is.Zero);
        call.Dispose();
        Assert.That((await Fails(next)).StatusCode, Is.EqualTo(StatusCode.Cancelled));
    }

    [Test]
    public async Task AsyncServerStreamingCall_CallerCancels_FailsWithCancelledAndStaysCancelled()
    {
        Stream(StreamScripts.Silent);
        using var cts = new CancellationTokenSource();
        using var call = Client(new DeadlineOptions()).Subscribe(new SubscribeRequest(), cancellationToken: cts.Token);

        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        await cts.CancelAsync();
        var error = await Fails(next);
        Advance(2);

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Arrival.Options.CancellationToken.IsCancellationRequested, Is.True, "the cancellation reaches the call");
        Assert.That(Clock.LiveTimers, Is.Zero);
    }

    [Test]
    public async Task AsyncServerStreamingCall_CallerCancelsAfterTheFirstMessage_CancellationStillReachesTheCall()
    {
        StreamTimed(StreamScripts.Event, [0], thenSilent: true);
        using var cts = new CancellationTokenSource();
        using var call = Client(new DeadlineOptions()).Subscribe(new SubscribeRequest(), cancellationToken: cts.Token);

        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(60);
        await cts.CancelAsync();

        Assert.That((await Fails(next)).StatusCode, Is.EqualTo(StatusCode.Cancelled));
    }

    [Test]
    public void AsyncServerStreamingCall_Disposed_ReleasesItsTimerAndCancelsTheCall()
    {
        Stream(StreamScripts.Silent);
        var call = Client(new DeadlineOptions()).Subscribe(new SubscribeRequest());
        Assert.That(Clock.LiveTimers, Is.EqualTo(1));

        call.Dispose();
        Advance(60);

        Assert.That(Clock.LiveTimers, Is.Zero);
        Assert.That(Arrival.IsDisposed, Is.True);
        Assert.That(Logs.GetSnapshot(), Is.Empty, "a disposed stream is not reported as cut");
    }

    [Test]
    public async Task AsyncClientStreamingCall_CallerWritesLongerThanTimeout_IsNotCut()
    {
        using var call = Client(new DeadlineOptions()).Upload();

        await call.RequestStream.WriteAsync(new Chunk { Data = ByteString.CopyFrom(1) }).WaitAsync(Bound);
        Advance(10);
        await call.RequestStream.WriteAsync(new Chunk { Data = ByteString.CopyFrom(2) }).WaitAsync(Bound);
        Advance(10);
        await call.RequestStream.CompleteAsync().WaitAsync(Bound);
        await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(Arrival.WrittenMessages, Has.Count.EqualTo(2));
        Assert.That(Arrival.Deadline, Is.Null);
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(Clock.LiveTimers, Is.Zero);
    }

    [Test]
    public async Task AsyncClientStreamingCall_NoAnswerAfterCompletion_FailsWithDeadlineExceededTimeoutAfterCompletion()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        using var call = Client(new DeadlineOptions()).Upload();

        await call.RequestStream.WriteAsync(new Chunk()).WaitAsync(Bound);
        Advance(10);
        Assert.That(Clock.LiveTimers, Is.Zero, "no limit runs while the caller writes");
        await call.RequestStream.CompleteAsync().WaitAsync(Bound);
        Time.Pass(TimeSpan.FromMilliseconds(1999));
        Assert.That(call.ResponseAsync.IsCompleted, Is.False);
        Time.Pass(TimeSpan.FromMilliseconds(1));

        Assert.That((await Fails(call.ResponseAsync)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That((await Fails(call.ResponseHeadersAsync)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That((await Fails(call.RequestStream.WriteAsync(new Chunk()))).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Arrival.Options.CancellationToken.IsCancellationRequested, Is.True);
    }

    [Test]
    public async Task AsyncClientStreamingCall_CallerCancelsWhileWaitingForTheAnswer_FailsWithCancelled()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        using var cts = new CancellationTokenSource();
        using var call = Client(new DeadlineOptions()).Upload(cancellationToken: cts.Token);

        await call.RequestStream.CompleteAsync().WaitAsync(Bound);
        Advance(1);
        await cts.CancelAsync();
        Advance(1);

        Assert.That((await Fails(call.ResponseAsync)).StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Clock.LiveTimers, Is.Zero);
    }

    [Test]
    public async Task AsyncDuplexStreamingCall_NoFirstResponse_FailsWithDeadlineExceededAtTimeoutAndRefusesWrites()
    {
        Stream(StreamScripts.Silent);
        using var call = Client(new DeadlineOptions()).Echo();

        await call.RequestStream.WriteAsync(new EchoMessage { Text = "hello?" }).WaitAsync(Bound);
        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        Time.Pass(TimeSpan.FromMilliseconds(1999));
        Assert.That(next.IsCompleted, Is.False);
        Time.Pass(TimeSpan.FromMilliseconds(1));

        Assert.That((await Fails(next)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That((await Fails(call.RequestStream.WriteAsync(new EchoMessage()))).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That((await Fails(call.RequestStream.CompleteAsync())).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Arrival.Options.CancellationToken.IsCancellationRequested, Is.True);
        Assert.That(Arrival.WrittenMessages, Has.Count.EqualTo(1), "a refused write never reaches the call");
    }

    [Test]
    public async Task AsyncDuplexStreamingCall_LivesTenTimesTimeoutAfterItsFirstMessage_IsNotCut()
    {
        StreamTimed(StreamScripts.Echo, [0, 5, 5, 5, 5], thenSilent: false);
        using var call = Client(new DeadlineOptions()).Echo();
        var received = new List<string>();

        for (var i = 0; i < 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoMessage { Text = $"m{i + 1}" }).WaitAsync(Bound);
            var next = call.ResponseStream.MoveNext(CancellationToken.None);
            Advance(i == 0 ? 0 : 5);
            Assert.That(await next.WaitAsync(Bound), Is.True);
            received.Add(call.ResponseStream.Current.Text);
        }

        await call.RequestStream.CompleteAsync().WaitAsync(Bound);
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.False);
        Assert.That(received, Is.EqualTo(new[] { "m1", "m2", "m3", "m4", "m5" }));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(Clock.LiveTimers, Is.Zero);
    }

    [Test]
    public async Task AsyncUnaryCall_StreamIdleTimeoutForTheService_StillGetsOnlyItsDeadline()
    {
        var client = Client(new DeadlineOptions { StreamIdleTimeouts = { [Service] = TimeSpan.FromSeconds(1) } });

        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);

        Assert.That(Arrival.Deadline, Is.EqualTo(Now.AddSeconds(2)));
        Assert.That(Arrival.Options.CancellationToken.CanBeCanceled, Is.False, "a unary call keeps the caller's token");
        Assert.That(Clock.TimersCreated, Is.Zero);
    }
}
