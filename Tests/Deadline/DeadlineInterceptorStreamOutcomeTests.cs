using System.Runtime.CompilerServices;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Deadline;

/// <summary>
/// How a stream cut by its first-response or idle limit, or ended by its caller, looks to the circuit breaker above,
/// to the logs, and to the garbage collector.
/// </summary>
public sealed class DeadlineInterceptorStreamOutcomeTests : StreamDeadlineTestBase
{
    [Test]
    public async Task CircuitBreakerAbove_StreamsCutAtTheirFirstResponseLimit_CountAsFailuresAndOpenIt()
    {
        Stream(StreamScripts.Silent);
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions { FailureThreshold = 2 }, Time);
        var client = Client(breaker, Deadline());

        for (var i = 0; i < 2; i++)
        {
            using var call = client.Subscribe(new SubscribeRequest());
            var next = call.ResponseStream.MoveNext(CancellationToken.None);
            Advance(2);
            Assert.That((await Fails(next)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        }

        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task CircuitBreakerAbove_StreamsTheCallerCancelsDisposesOrKeepsLong_NeverCount()
    {
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions { FailureThreshold = 1 }, Time);
        var client = Client(breaker, Deadline(new DeadlineOptions { StreamIdleTimeouts = { [Subscribe] = TimeSpan.FromSeconds(30) } }));

        // Cancelled by the caller before any answer, after the first message, and disposed unread.
        Stream(StreamScripts.Silent);
        using (var cts = new CancellationTokenSource())
        {
            using var cancelled = client.Subscribe(new SubscribeRequest(), cancellationToken: cts.Token);
            var next = cancelled.ResponseStream.MoveNext(CancellationToken.None);
            Advance(1);
            await cts.CancelAsync();
            Assert.That((await Fails(next)).StatusCode, Is.EqualTo(StatusCode.Cancelled));
        }

        StreamTimed(StreamScripts.Event, [0], thenSilent: true);
        using (var cts = new CancellationTokenSource())
        {
            using var cancelled = client.Subscribe(new SubscribeRequest(), cancellationToken: cts.Token);
            Assert.That(await cancelled.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
            var next = cancelled.ResponseStream.MoveNext(cts.Token);
            Advance(20);
            await cts.CancelAsync();
            Assert.That((await Fails(next)).StatusCode, Is.EqualTo(StatusCode.Cancelled));
        }

        client.Subscribe(new SubscribeRequest()).Dispose();

        // Ten healthy streams, each living 25 × Timeout with a message every 25 s.
        StreamTimed(StreamScripts.Event, [0, 25, 25], thenSilent: false);
        for (var i = 0; i < 10; i++)
        {
            using var call = client.Subscribe(new SubscribeRequest());
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
            for (var message = 0; message < 2; message++)
            {
                var next = call.ResponseStream.MoveNext(CancellationToken.None);
                Advance(25);
                Assert.That(await next.WaitAsync(Bound), Is.True);
            }

            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.False);
        }

        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "one failure would have opened it");
    }

    [Test]
    public async Task CircuitBreakerAbove_StreamCutIdle_CountsAsFailure()
    {
        StreamTimed(StreamScripts.Event, [0], thenSilent: true);
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions { FailureThreshold = 1 }, Time);
        var client = Client(breaker, Deadline(new DeadlineOptions { StreamIdleTimeouts = { [Subscribe] = TimeSpan.FromSeconds(30) } }));

        using var call = client.Subscribe(new SubscribeRequest());
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(30);

        Assert.That((await Fails(next)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task Log_NoFirstResponse_StreamFirstResponseTimedOutNamesMethodAndLimit()
    {
        Stream(StreamScripts.Silent);
        using var call = Client(Deadline()).Subscribe(new SubscribeRequest());

        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(2);
        await Fails(next);

        var record = Logs.GetSnapshot().Single();
        Assert.That(record.Id.Name, Is.EqualTo("StreamFirstResponseTimedOut"));
        Assert.That(record.Message, Is.EqualTo("Subscribe got no response within 2 s"));
        Assert.That(record.Category, Is.EqualTo("ResilientGrpc.Deadline"));
    }

    [Test]
    public async Task Log_IdleStream_StreamIdleTimedOutNamesMethodAndLimit()
    {
        StreamTimed(StreamScripts.Echo, [0], thenSilent: true);
        using var call = Client(Deadline(new DeadlineOptions { StreamIdleTimeouts = { [Echo] = TimeSpan.FromSeconds(30) } })).Echo();

        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        Advance(30);
        await Fails(next);

        var record = Logs.GetSnapshot().Single();
        Assert.That(record.Id.Name, Is.EqualTo("StreamIdleTimedOut"));
        Assert.That(record.Message, Is.EqualTo("Echo was idle for 30 s"));
    }

    [Test]
    public async Task Log_CallerCancels_NothingLogged()
    {
        Stream(StreamScripts.Silent);
        using var cts = new CancellationTokenSource();
        using var call = Client(Deadline()).Echo(cancellationToken: cts.Token);

        var next = call.ResponseStream.MoveNext(CancellationToken.None);
        await cts.CancelAsync();
        await Fails(next);
        Advance(2);

        Assert.That(Logs.GetSnapshot(), Is.Empty);
    }

    [Test]
    public void AllStreamKinds_CutAndDisposedWithoutBeingAwaited_LeaveNoUnobservedTaskException()
    {
        // Tasks earlier tests left unobserved are finalized first, so that only this test's are counted.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var unobserved = new List<AggregateException>();
        void Record(object? sender, UnobservedTaskExceptionEventArgs e) => unobserved.Add(e.Exception);
        TaskScheduler.UnobservedTaskException += Record;
        try
        {
            StartCutAndDispose();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= Record;
        }

        Assert.That(unobserved.SelectMany(e => e.Flatten().InnerExceptions), Is.Empty);
        Assert.That(Network.Arrivals.All(a => a.IsDisposed), Is.True);
    }

    /// <summary>Starts one call of each stream kind, lets its first-response limit cut it, disposes it unread.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void StartCutAndDispose()
    {
        Stream(StreamScripts.Silent);
        Network.Unary = ScriptedCallInvoker.Hang();
        var client = Client(Deadline());
        var subscribe = client.Subscribe(new SubscribeRequest());
        var echo = client.Echo();
        var upload = client.Upload();
        _ = upload.RequestStream.CompleteAsync();
        Advance(2);

        // Waiting without awaiting: nothing observes the response's error but the interceptor.
        Assert.That(SpinWait.SpinUntil(() => upload.ResponseAsync.IsCompleted, Bound), Is.True);
        subscribe.Dispose();
        echo.Dispose();
        upload.Dispose();
    }
}
