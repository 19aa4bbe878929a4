using Grpc.Core;
using Grpc.Core.Interceptors;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// The concurrency limit with a queue (<see cref="ConcurrencyLimitOptions.MaxQueueWait"/>), as a caller meets it: an
/// attempt that finds the limit reached waits in line and takes the first slot an answer frees; it never reaches the
/// server while it waits, and leaves the line refused, past its deadline or cancelled, as gRPC reports each.
/// </summary>
public sealed class ConcurrencyLimitQueueTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(200);
    private FakeTimeProvider time = null!;
    private ScriptedCallInvoker server = null!;
    private Dictionary<string, TaskCompletionSource> answers = null!;

    [SetUp]
    public void SetUp()
    {
        time = new FakeTimeProvider();
        answers = [];
        server = new ScriptedCallInvoker(time);

        // Each call waits until the test answers it by its request id.
        server.Unary = async (arrival, token) =>
        {
            await AnswerOf(((ProcessRequest)arrival.Request!).RequestId).Task.WaitAsync(token);
            return null;
        };
    }

    [Test]
    public async Task LimitReached_TheAttemptWaitsAndReachesTheServerWhenASlotFrees()
    {
        var limit = Limit(1);
        var client = Client(limit);
        using var held = Call(client, "held");

        using var waiting = Call(client, "waiting");
        await Task.Yield();

        Assert.That(waiting.ResponseAsync.IsCompleted, Is.False, "it waits instead of being refused");
        Assert.That(server.Count, Is.EqualTo(1), "a waiting attempt does not reach the server");
        Assert.That(limit.Waiting, Is.EqualTo(1));
        Answer("held");
        await held.ResponseAsync.WaitAsync(Bound);
        await ArrivedAsync(2);
        Assert.That(limit.InFlight, Is.EqualTo(1));
        Answer("waiting");
        await waiting.ResponseAsync.WaitAsync(Bound);
        Assert.That(waiting.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(limit.InFlight, Is.Zero);
        Assert.That(limit.Waiting, Is.Zero);
    }

    [Test]
    public async Task QueuedGauge_CountsTheAttemptsWaitingInLine()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var limit = new ConcurrencyLimitInterceptor(
            new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = 1, MaxQueueWait = Wait, MaxQueueLength = 5 }, time, meterFactory: meters);
        var client = Client(limit);
        using var queued = new MetricCollector<int>(meters, ResilienceTelemetry.MeterName, ResilienceTelemetry.Instruments.ConcurrencyQueued);
        using var held = Call(client, "held");
        using var first = Call(client, "first");
        using var second = Call(client, "second");

        Assert.That(Gauges.Read(queued).Value, Is.EqualTo(2));
        Answer("held");
        await ArrivedAsync(2);
        Assert.That(Gauges.Read(queued).Value, Is.EqualTo(1));
        time.Advance(Wait);
        await Assert.ThatAsync(() => second.ResponseAsync.WaitAsync(Bound), Throws.InstanceOf<OverloadRejectedException>());
        Assert.That(Gauges.Read(queued).Value, Is.Zero);
    }

    [Test]
    public async Task NoSlotWithinTheWait_RefusedWithResourceExhaustedWithoutReachingTheServer()
    {
        var limit = Limit(1);
        var client = Client(limit);
        using var held = Call(client, "held");
        using var waiting = Call(client, "waiting");

        time.Advance(Wait - TimeSpan.FromMilliseconds(1));
        await Task.Yield();
        Assert.That(waiting.ResponseAsync.IsCompleted, Is.False, "still within its wait");
        time.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<OverloadRejectedException>(() => waiting.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(error.Reason, Is.EqualTo(OverloadRejectionReason.ConcurrencyLimit));
        Assert.That(error.Status.Detail, Does.Contain("within 200 ms"));
        Assert.That(waiting.GetStatus().StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(waiting.GetTrailers().GetValue(OverloadRejectedException.TrailerName), Is.EqualTo("concurrency_limit"));
        Answer("held");
        await held.ResponseAsync.WaitAsync(Bound);
        Assert.That(server.Count, Is.EqualTo(1), "the refused attempt left the line: the freed slot is not given to it");
        Assert.That(limit.InFlight, Is.Zero);
    }

    [Test]
    public async Task LineFull_TheNextAttemptIsRefusedAtOnce()
    {
        var client = Client(Limit(1, maxQueueLength: 2));
        using var held = Call(client, "held");
        using var first = Call(client, "first");
        using var second = Call(client, "second");

        using var third = Call(client, "third");

        Assert.That(third.ResponseAsync.IsCompleted, Is.True, "refused at once");
        var error = await Assert.ThrowsAsync<OverloadRejectedException>(() => third.ResponseAsync);
        Assert.That(error!.Status.Detail, Does.Contain("is reached"));
        Assert.That(first.ResponseAsync.IsCompleted || second.ResponseAsync.IsCompleted, Is.False);
    }

    [Test]
    public async Task LineHoldsAsManyAsTheLimitByDefault()
    {
        var client = Client(Limit(2));
        using var held1 = Call(client, "held1");
        using var held2 = Call(client, "held2");
        using var waiting1 = Call(client, "waiting1");
        using var waiting2 = Call(client, "waiting2");

        using var refused = Call(client, "refused");

        Assert.That(waiting1.ResponseAsync.IsCompleted || waiting2.ResponseAsync.IsCompleted, Is.False);
        Assert.That(refused.ResponseAsync.IsCompleted, Is.True);
        await Assert.ThatAsync(() => refused.ResponseAsync, Throws.InstanceOf<OverloadRejectedException>());
    }

    [Test]
    public async Task SlotsGoToThoseWaitingInTheOrderTheyCame_AndNoNewAttemptTakesOneAheadOfThem()
    {
        var client = Client(Limit(1, maxQueueLength: 5));
        using var held = Call(client, "held");
        using var first = Call(client, "first");
        using var second = Call(client, "second");

        Answer("held");
        await ArrivedAsync(2);
        using var late = Call(client, "late");
        Answer("first");
        await ArrivedAsync(3);
        Answer("second");
        await ArrivedAsync(4);
        Answer("late");
        await late.ResponseAsync.WaitAsync(Bound);

        Assert.That(server.Arrivals.Select(a => ((ProcessRequest)a.Request!).RequestId), Is.EqualTo(new[] { "held", "first", "second", "late" }));
    }

    [Test]
    public async Task CallerDeadlinePassesFirst_DeadlineExceededWithoutReachingTheServer()
    {
        var client = Client(Limit(1));
        using var held = Call(client, "held");
        using var waiting = CallWithin(client, "waiting", TimeSpan.FromMilliseconds(50));

        time.Advance(TimeSpan.FromMilliseconds(50));
        var error = await Assert.ThrowsAsync<RpcException>(() => waiting.ResponseAsync.WaitAsync(Bound));

        Assert.That(error, Is.Not.InstanceOf<OverloadRejectedException>());
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(server.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task CallerDeadlineSoonerThanTheWait_ASlotFreedBeforeItStillServesTheCall()
    {
        var client = Client(Limit(1));
        using var held = Call(client, "held");
        using var waiting = CallWithin(client, "waiting", TimeSpan.FromMilliseconds(100));

        time.Advance(TimeSpan.FromMilliseconds(60));
        Answer("held");
        await ArrivedAsync(2);
        Answer("waiting");

        Assert.That(await waiting.ResponseAsync.WaitAsync(Bound), Is.Not.Null, "it waited for the slot until its deadline, not less");
        Assert.That(waiting.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
    }

    [Test]
    public async Task CallerDeadlineAlreadyPassed_DeadlineExceededAtOnceWithoutWaiting()
    {
        var client = Client(Limit(1));
        using var held = Call(client, "held");
        using var late = CallWithin(client, "late", TimeSpan.FromMilliseconds(-5));

        var error = await Assert.ThrowsAsync<RpcException>(() => late.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(error.Status.Detail, Does.Contain("deadline passed while it waited for a slot"));
        Assert.That(server.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AttemptFromTheLineFailsAtTheServer_TheCallerSeesItsStatusAndTheSlotGoesToTheNextInLine()
    {
        var limit = Limit(1, maxQueueLength: 5);
        var client = Client(limit);
        using var held = Call(client, "held");
        using var failing = Call(client, "failing");
        using var next = Call(client, "next");

        Answer("held");
        await ArrivedAsync(2);
        AnswerOf("failing").TrySetException(new RpcException(new Status(StatusCode.Unavailable, "shed")));
        var error = await Assert.ThrowsAsync<RpcException>(() => failing.ResponseAsync.WaitAsync(Bound));
        await ArrivedAsync(3);
        Answer("next");
        await next.ResponseAsync.WaitAsync(Bound);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(failing.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(server.Arrivals.Select(a => ((ProcessRequest)a.Request!).RequestId), Is.EqualTo(new[] { "held", "failing", "next" }));
        Assert.That(limit.InFlight, Is.Zero);
    }

    [Test]
    public async Task StartingAnAttemptFromTheLineThrows_TheCallerSeesThatErrorAndTheSlotGoesToTheNextInLine()
    {
        var limit = Limit(1, maxQueueLength: 5);
        var closed = new ObjectDisposedException("GrpcChannel");
        var client = new UnstableService.UnstableServiceClient(server.Intercept(limit, new ThrowsOnStart("throws", closed)));
        using var held = Call(client, "held");
        using var throws = Call(client, "throws");
        using var next = Call(client, "next");

        Answer("held");
        await ArrivedAsync(2);
        var error = await Assert.ThrowsAsync<ObjectDisposedException>(() => throws.ResponseAsync.WaitAsync(Bound));
        Answer("next");
        await next.ResponseAsync.WaitAsync(Bound);

        Assert.That(error, Is.SameAs(closed), "the error of the start, unchanged");
        Assert.That(server.Arrivals.Select(a => ((ProcessRequest)a.Request!).RequestId), Is.EqualTo(new[] { "held", "next" }));
        Assert.That(limit.InFlight, Is.Zero);
    }

    [Test]
    public async Task AttemptAdmittedFromTheLine_EndsTheSpellOfRefusalsInTheLog()
    {
        using var services = new ServiceCollection().AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace)).BuildServiceProvider();
        var limit = new ConcurrencyLimitInterceptor(
            new ConcurrencyLimitOptions
            {
                Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = 1, MaxQueueWait = TimeSpan.FromSeconds(5), MaxQueueLength = 1,
            },
            time,
            services.GetRequiredService<ILoggerFactory>());
        var client = Client(limit);
        using var held = Call(client, "held");
        using var waiting = Call(client, "waiting");
        using var refused = Call(client, "refused");
        await Assert.ThatAsync(() => refused.ResponseAsync, Throws.InstanceOf<OverloadRejectedException>());

        time.Advance(TimeSpan.FromSeconds(1));
        Answer("held");
        await ArrivedAsync(2);

        var events = services.GetFakeLogCollector().GetSnapshot().Where(r => r.Category == "ResilientGrpc.Overload").ToList();
        Assert.That(events.Select(e => e.Id.Name), Is.EqualTo(new[] { "ConcurrencyLimitReached", "ConcurrencyLimitRecovered" }), "the attempt admitted from the line ends the spell");
        Assert.That(events[0].Message, Does.EndWith("an attempt that gets no slot within 5000 ms is refused locally without reaching the server"));
        Assert.That(events[1].Message, Does.Contain(": 1 attempt(s) were refused"));
    }

    [Test]
    public async Task CallerCancelsWhileWaiting_CancelledAndTheSlotGoesToTheNextInLine()
    {
        var limit = Limit(1, maxQueueLength: 5);
        var client = Client(limit);
        using var cancellation = new CancellationTokenSource();
        using var held = Call(client, "held");
        using var cancelled = client.ProcessAsync(new ProcessRequest { RequestId = "cancelled" }, cancellationToken: cancellation.Token);
        using var next = Call(client, "next");

        await cancellation.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => cancelled.ResponseAsync.WaitAsync(Bound));
        Answer("held");
        await ArrivedAsync(2);
        Answer("next");
        await next.ResponseAsync.WaitAsync(Bound);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(cancelled.GetStatus().StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(server.Arrivals.Select(a => ((ProcessRequest)a.Request!).RequestId), Is.EqualTo(new[] { "held", "next" }));
        Assert.That(limit.InFlight, Is.Zero);
    }

    [Test]
    public async Task DisposedWhileWaiting_NeverReachesTheServer()
    {
        var limit = Limit(1);
        var client = Client(limit);
        using var held = Call(client, "held");
        var waiting = Call(client, "waiting");

        waiting.Dispose();
        Answer("held");
        await held.ResponseAsync.WaitAsync(Bound);

        var error = await Assert.ThrowsAsync<RpcException>(() => waiting.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(server.Count, Is.EqualTo(1));
        Assert.That(limit.InFlight, Is.Zero);
    }

    [Test]
    public async Task HeadersOfAWaitingCall_ArriveOnceItHasStarted()
    {
        var client = Client(Limit(1));
        using var held = Call(client, "held");
        using var waiting = Call(client, "waiting");

        var headers = waiting.ResponseHeadersAsync;
        Assert.That(waiting.ResponseHeadersAsync, Is.SameAs(headers), "one task however often it is asked");
        Assert.That(headers.IsCompleted, Is.False);
        Assert.Throws<InvalidOperationException>(() => waiting.GetStatus());
        Answer("held");
        Answer("waiting");
        await waiting.ResponseAsync.WaitAsync(Bound);

        Assert.That(await headers.WaitAsync(Bound), Is.Not.Null);
    }

    [Test]
    public async Task RefusedAfterWaiting_NeitherRetriedNorCountedAgainstTheServer()
    {
        var breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions { FailureThreshold = 2 }, time);
        var retry = new RetryInterceptor(new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(10) }, time);
        var client = new UnstableService.UnstableServiceClient(server.Intercept(retry, Limit(1), breaker));
        using var held = Call(client, "held");

        for (var i = 0; i < 5; i++)
        {
            using var call = Call(client, $"waiting{i}");
            await Task.Yield();
            time.Advance(Wait);
            await Assert.ThatAsync(() => call.ResponseAsync.WaitAsync(Bound), Throws.InstanceOf<OverloadRejectedException>());
        }

        Assert.That(server.Count, Is.EqualTo(1), "no refused attempt was retried onto the network");
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "local refusals are not the server's failures");
    }

    [Test]
    public async Task BlockingCallOnAUiThread_WaitsInLineAndReturnsWithoutPostingToIt()
    {
        var limit = Limit(1);
        var client = Client(limit);
        using var held = Call(client, "held");
        using var ui = new UiThread();

        var blocking = ui.Run(() => client.Process(new ProcessRequest { RequestId = "blocking" }));
        await UntilAsync(() => limit.Waiting == 1, "the blocking call to wait in line");
        Assert.That(blocking.IsCompleted, Is.False);
        Answer("held");
        await ArrivedAsync(2);
        Answer("blocking");

        Assert.That(await blocking.WaitAsync(Bound), Is.Not.Null);
        Assert.That(ui.Posted, Is.Zero, "nothing came back to the UI thread");
    }

    [Test]
    public async Task AsyncCallFromAUiThread_WaitsInLineWithoutComingBackToIt()
    {
        var limit = Limit(1);
        var client = Client(limit);
        using var held = Call(client, "held");
        using var ui = new UiThread();

        using var waiting = await ui.Run(() => Call(client, "waiting")).WaitAsync(Bound);
        Assert.That(limit.Waiting, Is.EqualTo(1));
        Answer("held");
        await ArrivedAsync(2);
        Answer("waiting");
        await waiting.ResponseAsync.WaitAsync(Bound);

        Assert.That(ui.Posted, Is.Zero, "nothing came back to the UI thread");
    }

    [Test]
    [Repeat(3)]
    public async Task ThousandRacers_ServerNeverSeesMoreThanTheLimitAndEveryCallIsServed()
    {
        const int racers = 1000;
        var inServer = 0;
        var mostInServer = 0;
        var racingServer = new ScriptedCallInvoker(TimeProvider.System)
        {
            Unary = async (_, _) =>
            {
                var now = Interlocked.Increment(ref inServer);
                for (var seen = Volatile.Read(ref mostInServer); now > seen && Interlocked.CompareExchange(ref mostInServer, now, seen) != seen;)
                {
                    seen = Volatile.Read(ref mostInServer);
                }

                await Task.Yield();
                Interlocked.Decrement(ref inServer);
                return null;
            },
        };
        var limit = new ConcurrencyLimitInterceptor(new ConcurrencyLimitOptions
        {
            Algorithm = ConcurrencyLimitAlgorithm.Fixed,
            InitialLimit = 8,
            MaxQueueWait = TimeSpan.FromMinutes(1),
            MaxQueueLength = racers,
        });
        var client = new UnstableService.UnstableServiceClient(racingServer.Intercept(limit));
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, racers).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            using var call = client.ProcessAsync(new ProcessRequest());
            return await call.ResponseAsync;
        })).ToArray();

        go.SetResult();
        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(racingServer.Count, Is.EqualTo(racers), "every call waited its turn and was served");
        Assert.That(mostInServer, Is.InRange(1, 8));
        Assert.That(limit.InFlight, Is.Zero);
    }

    /// <summary>Below the limit: starting the call with the given request id throws, as a disposed channel does.</summary>
    private sealed class ThrowsOnStart(string id, Exception error) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
            TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
            request is ProcessRequest { RequestId: var requested } && requested == id ? throw error : continuation(request, context);
    }

    private static AsyncUnaryCall<ProcessReply> Call(UnstableService.UnstableServiceClient client, string id) =>
        client.ProcessAsync(new ProcessRequest { RequestId = id });

    /// <summary>A call whose deadline is <paramref name="fromNow"/> away on the fake clock (negative: already passed).</summary>
    private AsyncUnaryCall<ProcessReply> CallWithin(UnstableService.UnstableServiceClient client, string id, TimeSpan fromNow) =>
        client.ProcessAsync(new ProcessRequest { RequestId = id }, deadline: time.GetUtcNow().UtcDateTime + fromNow);

    private UnstableService.UnstableServiceClient Client(ConcurrencyLimitInterceptor limit) => new(server.Intercept(limit));

    private ConcurrencyLimitInterceptor Limit(int limit, int? maxQueueLength = null) =>
        new(new ConcurrencyLimitOptions
        {
            Algorithm = ConcurrencyLimitAlgorithm.Fixed,
            InitialLimit = limit,
            MaxQueueWait = Wait,
            MaxQueueLength = maxQueueLength,
        }, time);

    private TaskCompletionSource AnswerOf(string id)
    {
        lock (answers)
        {
            if (!answers.TryGetValue(id, out var answer))
            {
                answers[id] = answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return answer;
        }
    }

    private void Answer(string id) => AnswerOf(id).TrySetResult();

    private Task ArrivedAsync(int count) => UntilAsync(() => server.Count >= count, $"{count} calls to reach the server");

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var start = DateTime.UtcNow;
        while (!condition())
        {
            Assert.That(DateTime.UtcNow - start, Is.LessThan(Bound), what);
            await Task.Delay(1);
        }
    }
}
