using System.Collections.Concurrent;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Hedging;

public sealed class HedgingInterceptorTests : HedgingTestBase
{
    [Test]
    public async Task AsyncUnaryCall_FirstAnswersAtOnce_SendsNoHedge()
    {
        var client = Client(OnProcess());

        var reply = await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        Advance(1000);

        Assert.That(reply, Is.Not.Null);
        Assert.That(Network.Count, Is.EqualTo(1));
        Assert.That(Clock.TimersCreated, Is.Zero, "no hedge timer for a call that has answered");
    }

    [Test]
    public async Task AsyncUnaryCall_FirstHangs_SecondHedgeOnlyAfterDelay()
    {
        Network.Unary = HangThenAnswer(1);
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(199);
        Assert.That(Network.Count, Is.EqualTo(1), "no hedge before the 200 ms delay");
        Advance(1);
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("attempt 2"));
        Assert.That(Network.Count, Is.EqualTo(2));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
    }

    [Test]
    public async Task AsyncUnaryCall_EveryAttemptHangs_SendsMaxAttemptsOneDelayApart()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var client = Client(new HedgingOptions { HedgedMethods = { Process }, Delay = TimeSpan.FromMilliseconds(100) });
        using var cts = new CancellationTokenSource();

        var call = client.ProcessAsync(new ProcessRequest(), cancellationToken: cts.Token);
        var counts = new List<int> { Network.Count };
        for (var i = 0; i < 4; i++)
        {
            await TimerArmed(Math.Min(i + 1, 2));
            Advance(100);
            await Until(() => Network.Count >= Math.Min(i + 2, 3));
            counts.Add(Network.Count);
        }

        Assert.That(counts, Is.EqualTo(new[] { 1, 2, 3, 3, 3 }));
        cts.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
    }

    [Test]
    public async Task AsyncUnaryCall_Hedges_CarryPreviousAttemptsHeaderAndCallerHeaders()
    {
        Network.Unary = HangThenAnswer(1, 2);
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest(), new Metadata { { "tenant", "t1" } });
        Advance(200);
        await Until(() => Network.Count == 2);
        await TimerArmed(2);
        Advance(200);
        await call.ResponseAsync.WaitAsync(Bound);

        var arrivals = Network.Arrivals;
        Assert.That(arrivals.Select(a => a.Header("grpc-previous-rpc-attempts")), Is.EqualTo(new[] { null, "1", "2" }));
        Assert.That(arrivals.Select(a => a.Header("tenant")), Is.All.EqualTo("t1"));
    }

    [Test]
    public async Task AsyncUnaryCall_ThirdAnswers_OtherAttemptsAreCancelledAndDisposed()
    {
        var tokens = new ConcurrentDictionary<int, CancellationToken>();
        var answer = HangThenAnswer(1, 2);
        Network.Unary = (arrival, token) =>
        {
            tokens[arrival.Number] = token;
            return answer(arrival, token);
        };
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(200);
        await Until(() => Network.Count == 2);
        await TimerArmed(2);
        Advance(200);
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("attempt 3"));
        var arrivals = Network.Arrivals;
        Assert.That(arrivals.Take(2).Select(a => a.IsDisposed), Is.All.True, "the losers are disposed");
        Assert.That(new[] { tokens[1], tokens[2] }.Select(t => t.IsCancellationRequested), Is.All.True, "the network saw each cancellation");
        Assert.That(tokens[3].IsCancellationRequested, Is.False, "the winner is left alone");
    }

    [Test]
    public async Task AsyncUnaryCall_NonFatalFailure_SendsNextHedgeAtOnce()
    {
        Network.Unary = (arrival, _) => arrival.Number == 1
            ? Failure(arrival, StatusCode.Unavailable)
            : Task.FromResult<object?>(new ProcessReply { Result = "second" });
        var client = Client(OnProcess());

        var reply = await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("second"));
        Assert.That(Network.Count, Is.EqualTo(2));
        Assert.That(Time.GetUtcNow().UtcDateTime, Is.EqualTo(Start), "no time passed");
    }

    [Test]
    public async Task AsyncUnaryCall_EveryAttemptUnavailable_FailsWithTheLastAttemptsError()
    {
        Network.Unary = (arrival, _) => Failure(arrival, StatusCode.Unavailable);
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(Network.Count, Is.EqualTo(3));
        Assert.That(error!.Status.Detail, Is.EqualTo("attempt 3"));
        Assert.That(call.GetStatus(), Is.EqualTo(error.Status));
        Assert.That(call.GetTrailers().GetValue("attempt"), Is.EqualTo("3"));
        Assert.That(await Assert.ThrowsAsync<RpcException>(() => call.ResponseHeadersAsync.WaitAsync(Bound)), Is.SameAs(error));
    }

    [Test]
    public async Task AsyncUnaryCall_FatalStatus_CommitsThatFailureAndCancelsTheOthers()
    {
        Network.Unary = (arrival, token) => arrival.Number == 2
            ? Failure(arrival, StatusCode.Internal)
            : HangThenAnswer(1)(arrival, token);
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(200);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Advance(1000);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
        Assert.That(error.Status.Detail, Is.EqualTo("attempt 2"));
        Assert.That(Network.Count, Is.EqualTo(2), "no hedge after a fatal failure");
        Assert.That(Network.Arrivals[0].IsDisposed, Is.True);
    }

    /// <summary>
    /// The deadline interceptor below gives each hedge its own deadline: the first hedge passing its own is no answer
    /// for the call while the caller's deadline is still ahead and other hedges run.
    /// </summary>
    [Test]
    public async Task AsyncUnaryCall_FirstHedgePassesItsOwnAttemptDeadline_ALaterHedgeStillAnswers()
    {
        Network.Unary = async (arrival, token) =>
        {
            if (arrival.Number != 2)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(900), Time, token);
            return new ProcessReply { Result = "second" };
        };
        var client = Client(OnProcess(), new DeadlineInterceptor(new DeadlineOptions { Timeout = TimeSpan.FromSeconds(1) }, Clock));

        var call = client.ProcessAsync(new ProcessRequest()).ResponseAsync;
        await TimerArmed(1);
        Advance(200);
        await Until(() => Network.Count == 2);
        await TimerArmed(2);
        Advance(200);
        await Until(() => Network.Count == 3);
        Advance(600);
        await Until(() => Network.Arrivals[0].IsDisposed);
        Advance(100);
        var reply = await call.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("second"), "hedge 2 answered at 1.1 s, after hedge 1's own 1 s deadline");
        Assert.That(Network.Count, Is.EqualTo(3));
        Assert.That(Network.Arrivals[2].IsDisposed, Is.True, "the third hedge was cancelled");
    }

    [Test]
    public async Task AsyncUnaryCall_PositivePushback_DelaysTheNextHedgeByIt()
    {
        Network.Unary = (arrival, _) => arrival.Number == 1
            ? Failure(arrival, StatusCode.Unavailable, pushback: "500")
            : Task.FromResult<object?>(new ProcessReply { Result = "second" });
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(499);
        Assert.That(Network.Count, Is.EqualTo(1), "neither at once nor after the 200 ms delay");
        Advance(1);
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("second"));
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [TestCase("-1")]
    [TestCase("soon")]
    public async Task AsyncUnaryCall_NegativeOrUnreadablePushback_StopsHedgingWhileTheAttemptInFlightGoesOn(string pushback)
    {
        var first = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Network.Unary = (arrival, _) => arrival.Number == 1 ? first.Task : Failure(arrival, StatusCode.Unavailable, pushback);
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(200);
        await Until(() => Network.Count == 2);
        Advance(1000);
        Assert.That(Network.Count, Is.EqualTo(2), "no hedge after the pushback");
        first.SetResult(new ProcessReply { Result = "first" });
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("first"));
    }

    [Test]
    public async Task AsyncUnaryCall_CallerDeadline_BoundsEveryHedge()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest(), deadline: Start.AddMilliseconds(300));
        Advance(200);
        await Until(() => Network.Count == 2);
        Advance(100);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Advance(1000);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Network.Count, Is.EqualTo(2), "the 3rd hedge would have left after the deadline");
        Assert.That(Network.Arrivals.Select(a => a.Deadline), Is.All.EqualTo(Start.AddMilliseconds(300)));
    }

    [Test]
    public async Task AsyncUnaryCall_PushbackBeyondTheDeadline_FailsAtOnceWithDeadlineExceeded()
    {
        Network.Unary = (arrival, _) => Failure(arrival, StatusCode.Unavailable, pushback: "500");
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest(), deadline: Start.AddMilliseconds(300));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_CallerCancels_CancelsEveryAttemptAndFailsWithCancelled()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var client = Client(OnProcess());
        using var cts = new CancellationTokenSource();

        var call = client.ProcessAsync(new ProcessRequest(), cancellationToken: cts.Token);
        Advance(200);
        await Until(() => Network.Count == 2);
        cts.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Advance(1000);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Network.Count, Is.EqualTo(2));
        await Until(() => Network.Arrivals.All(a => a.IsDisposed));
    }

    [Test]
    public async Task AsyncUnaryCall_CallerDisposes_DisposesEveryAttemptAndFailsWithCancelled()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(200);
        await Until(() => Network.Count == 2);
        call.Dispose();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Advance(1000);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Network.Count, Is.EqualTo(2), "no hedge after disposal");
        await Until(() => Network.Arrivals.All(a => a.IsDisposed));
    }

    [Test]
    public async Task AsyncUnaryCall_CallerCancelsWhileAPushbackHoldsTheNextHedge_FailsWithCancelledAtOnce()
    {
        var first = PushedBackFirstAttempt();
        var client = Client(OnProcess());
        using var cts = new CancellationTokenSource();

        var call = client.ProcessAsync(new ProcessRequest(), cancellationToken: cts.Token);
        await PushBackAsync(first);
        await cts.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled), "without waiting out the 10 s pushback");
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_CallerDisposesWhileAPushbackHoldsTheNextHedge_FailsWithCancelledAtOnce()
    {
        var first = PushedBackFirstAttempt();
        var client = Client(OnProcess());

        var call = client.ProcessAsync(new ProcessRequest());
        await PushBackAsync(first);
        call.Dispose();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled), "without waiting out the 10 s pushback");
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_MethodNotListed_PassesThroughUnhedged()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var client = Client(new HedgingOptions { HedgedMethods = { "/other.Service/Process" } });

        using var call = client.ProcessAsync(new ProcessRequest());
        Advance(1000);
        await Task.Yield();

        Assert.That(Network.Count, Is.EqualTo(1));
        Assert.That(Clock.TimersCreated, Is.Zero);
    }

    [Test]
    public async Task AsyncUnaryCall_ServiceListedWithMethodDelay_UsesTheMethodsDelay()
    {
        Network.Unary = HangThenAnswer(1);
        var client = Client(new HedgingOptions
        {
            HedgedMethods = { Service },
            MethodDelays = { [Process] = TimeSpan.FromMilliseconds(50) },
        });

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(49);
        Assert.That(Network.Count, Is.EqualTo(1));
        Advance(1);
        await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public void BlockingUnaryCall_PassesThroughUnhedged()
    {
        Network.Unary = (arrival, _) => Failure(arrival, StatusCode.Unavailable);
        var client = Client(OnProcess());

        var error = Assert.Throws<RpcException>(() => client.Process(new ProcessRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    /// <summary>The first attempt, held until <see cref="PushBackAsync"/> fails it; hedges would answer.</summary>
    private TaskCompletionSource<object?> PushedBackFirstAttempt()
    {
        var first = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Network.Unary = (arrival, _) => arrival.Number == 1 ? first.Task : Task.FromResult<object?>(new ProcessReply());
        return first;
    }

    /// <summary>Fails the first attempt with a 10 s pushback, and waits until its timer holds the next hedge: no attempt is in flight.</summary>
    private async Task PushBackAsync(TaskCompletionSource<object?> first)
    {
        await TimerArmed(1);
        first.SetException(new RpcException(new Status(StatusCode.Unavailable, "busy"), new Metadata { { "grpc-retry-pushback-ms", "10000" } }));
        await TimerArmed(2);
    }
}
