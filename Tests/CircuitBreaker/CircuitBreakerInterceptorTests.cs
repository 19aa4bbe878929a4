using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>Consecutive mode, the open and half-open states, isolation and events, on unary calls.</summary>
public sealed class CircuitBreakerInterceptorTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    [Test]
    public async Task AsyncUnaryCall_FourFailures_StaysClosed()
    {
        var harness = new BreakerHarness();

        await harness.FailAsync(4);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        Assert.That(harness.Transitions, Is.Empty);
    }

    [Test]
    public async Task AsyncUnaryCall_FifthFailureInARow_OpensAndNothingReachesTheNetwork()
    {
        var harness = new BreakerHarness();

        await harness.FailAsync(5);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(harness.Invoker.Count, Is.EqualTo(5));
        for (var i = 0; i < 20; i++)
        {
            var call = harness.Client.ProcessAsync(new ProcessRequest());
            var error = await BreakerHarness.RejectedAsync(call.ResponseAsync);
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        }

        Assert.That(harness.Invoker.Count, Is.EqualTo(5));
    }

    [Test]
    public async Task AsyncUnaryCall_RejectedWhileOpen_SurfacesThroughTheCallObject()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { Name = "payments" });
        await harness.OpenAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(10));

        AsyncUnaryCall<ProcessReply>? call = null;
        Assert.DoesNotThrow(() => call = harness.Client.ProcessAsync(new ProcessRequest()));

        var error = await BreakerHarness.RejectedAsync(call!.ResponseAsync);
        await BreakerHarness.RejectedAsync(call.ResponseHeadersAsync);
        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(error.Status.Detail, Does.Contain("payments").And.Contain("open"));
            Assert.That(error.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(20)));
            Assert.That(error.BreakerName, Is.EqualTo("payments"));
            Assert.That(error.State, Is.EqualTo(CircuitState.Open));
            Assert.That(error.Trailers.GetValue("resilientgrpc-circuit"), Is.EqualTo("open"));
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        });
    }

    [Test]
    public async Task AsyncUnaryCall_SuccessBetweenFailures_ResetsTheCount()
    {
        var harness = new BreakerHarness();

        await harness.FailAsync(4);
        await harness.SucceedAsync();
        await harness.FailAsync(4);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task AsyncUnaryCall_CallerCancels_CountsAsNeitherFailureNorSuccess()
    {
        var harness = new BreakerHarness();
        await harness.FailAsync(4);

        harness.Invoker.Unary = ScriptedCallInvoker.Hang();
        using var cts = new CancellationTokenSource();
        var cancelled = harness.ProcessAsync(cts.Token);
        await cts.CancelAsync();
        Assert.That(await cancelled.WaitAsync(BreakerHarness.Bound), Is.EqualTo(StatusCode.Cancelled));

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "a cancellation is not a failure");
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open), "a cancellation does not reset the count");
    }

    [Test]
    public async Task AsyncUnaryCall_CallerCancelsAndServerFails_CountsAsNeither()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { FailureThreshold = 1 });
        using var cts = new CancellationTokenSource();
        harness.Invoker.Unary = async (_, _) =>
        {
            await cts.CancelAsync();
            throw new RpcException(new Status(StatusCode.Unavailable, "gone while the caller cancelled"));
        };

        Assert.That(await harness.ProcessAsync(cts.Token), Is.EqualTo(StatusCode.Unavailable));

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [TestCase(StatusCode.Unavailable, "failure")]
    [TestCase(StatusCode.DeadlineExceeded, "failure")]
    [TestCase(StatusCode.Internal, "failure")]
    [TestCase(StatusCode.Unknown, "failure")]
    [TestCase(StatusCode.ResourceExhausted, "failure")]
    [TestCase(StatusCode.DataLoss, "failure")]
    [TestCase(StatusCode.OK, "success")]
    [TestCase(StatusCode.NotFound, "success")]
    [TestCase(StatusCode.InvalidArgument, "success")]
    [TestCase(StatusCode.PermissionDenied, "success")]
    [TestCase(StatusCode.Unauthenticated, "success")]
    [TestCase(StatusCode.FailedPrecondition, "success")]
    [TestCase(StatusCode.AlreadyExists, "success")]
    [TestCase(StatusCode.Aborted, "success")]
    [TestCase(StatusCode.OutOfRange, "success")]
    [TestCase(StatusCode.Unimplemented, "success")]
    [TestCase(StatusCode.Cancelled, "neither")]
    public async Task AsyncUnaryCall_FinalStatusAfterFourFailures_CountsAsClassified(StatusCode code, string counted)
    {
        var harness = new BreakerHarness();
        await harness.FailAsync(4);

        if (code == StatusCode.OK)
        {
            await harness.SucceedAsync();
        }
        else
        {
            await harness.FailAsync(1, code);
        }

        switch (counted)
        {
            case "failure":
                Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
                break;
            case "success":
                await harness.FailAsync(4);
                Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "the count was reset");
                break;
            default:
                Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "not a failure");
                await harness.FailAsync(1);
                Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open), "not a reset");
                break;
        }
    }

    [Test]
    public async Task AsyncUnaryCall_CustomFailureStatusCodes_OnlyThoseCount()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions
        {
            FailureThreshold = 2,
            FailureStatusCodes = new HashSet<StatusCode> { StatusCode.NotFound },
        });

        await harness.FailAsync(3, StatusCode.Unavailable);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(2, StatusCode.NotFound);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task State_BreakElapsedWithoutTraffic_ReportsHalfOpen()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();

        harness.Time.Advance(Break - TimeSpan.FromTicks(1));
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        harness.Time.Advance(TimeSpan.FromTicks(1));

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.HalfOpen));
        Assert.That(harness.Invoker.Count, Is.EqualTo(5));
    }

    [Test]
    public async Task AsyncUnaryCall_ProbeSucceeds_ClosesAndCountsStartAfresh()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();
        harness.Time.Advance(Break);

        await harness.SucceedAsync();

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        Assert.That(harness.Invoker.Count, Is.EqualTo(6));
        await harness.FailAsync(4);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task AsyncUnaryCall_ProbeFails_ReopensForAnotherBreak()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();
        harness.Time.Advance(Break);

        await harness.FailAsync(1);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(harness.Invoker.Count, Is.EqualTo(6));
        var error = await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);
        Assert.That(error.RetryAfter, Is.EqualTo(Break));

        harness.Time.Advance(Break - TimeSpan.FromSeconds(1));
        await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);
        Assert.That(harness.Invoker.Count, Is.EqualTo(6));
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.HalfOpen));
    }

    [Test]
    public async Task AsyncUnaryCall_WhileProbeInFlight_OtherCallersAreRejected()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();
        harness.Time.Advance(Break);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Invoker.Unary = BreakerHarness.HoldUntil(release.Task);

        using var probe = harness.Client.ProcessAsync(new ProcessRequest());
        var error = await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);

        Assert.That(error.State, Is.EqualTo(CircuitState.HalfOpen));
        Assert.That(error.RetryAfter, Is.EqualTo(TimeSpan.Zero));
        Assert.That(harness.Invoker.Count, Is.EqualTo(6));
        release.SetResult();
        await probe.ResponseAsync.WaitAsync(BreakerHarness.Bound);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task AsyncUnaryCall_ProbeCancelledByCaller_FreesTheSlot()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();
        harness.Time.Advance(Break);
        harness.Invoker.Unary = ScriptedCallInvoker.Hang();
        using var cts = new CancellationTokenSource();

        var probe = harness.ProcessAsync(cts.Token);
        await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);
        await cts.CancelAsync();
        Assert.That(await probe.WaitAsync(BreakerHarness.Bound), Is.EqualTo(StatusCode.Cancelled));

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.HalfOpen));
        await harness.SucceedAsync();
        Assert.That(harness.Invoker.Count, Is.EqualTo(7));
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task AsyncUnaryCall_ProbeDisposedBeforeCompletion_FreesTheSlot()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();
        harness.Time.Advance(Break);
        harness.Invoker.Unary = ScriptedCallInvoker.Hang();

        var probe = harness.Client.ProcessAsync(new ProcessRequest());
        probe.Dispose();

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.HalfOpen));
        await harness.SucceedAsync();
        Assert.That(harness.Invoker.Count, Is.EqualTo(7));
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task AsyncUnaryCall_HungProbePastItsDeadline_CountsAsFailureAndReopens()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();
        harness.Time.Advance(Break);
        harness.Invoker.Unary = ScriptedCallInvoker.Hang();

        var probe = harness.Client.ProcessAsync(
            new ProcessRequest(), deadline: harness.Time.GetUtcNow().UtcDateTime.AddSeconds(2));
        harness.Time.Advance(TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<RpcException>(() => probe.ResponseAsync.WaitAsync(BreakerHarness.Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task AsyncUnaryCall_TwoProbesConfigured_ClosesOnlyWhenBothSucceed()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { HalfOpenProbes = 2 });
        await harness.OpenAsync();
        harness.Time.Advance(Break);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Invoker.Unary = BreakerHarness.HoldUntil(release.Task);

        using var first = harness.Client.ProcessAsync(new ProcessRequest());
        using var second = harness.Client.ProcessAsync(new ProcessRequest());
        await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);
        Assert.That(harness.Invoker.Count, Is.EqualTo(7));

        release.SetResult();
        await Task.WhenAll(first.ResponseAsync, second.ResponseAsync).WaitAsync(BreakerHarness.Bound);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task AsyncUnaryCall_SlowCallFromBeforeTheBreakSucceedsWhileHalfOpen_DoesNotClose()
    {
        var harness = new BreakerHarness();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Invoker.Unary = BreakerHarness.HoldUntil(release.Task);
        using var slow = harness.Client.ProcessAsync(new ProcessRequest());
        await harness.OpenAsync();
        harness.Time.Advance(Break);
        harness.Invoker.Unary = ScriptedCallInvoker.Hang();
        using var probe = harness.Client.ProcessAsync(new ProcessRequest());

        release.SetResult();
        await slow.ResponseAsync.WaitAsync(BreakerHarness.Bound);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.HalfOpen), "only the probe decides");
    }

    [Test]
    public async Task Isolate_HoldsOpenUntilReset_RejectsWithoutRetryAfter()
    {
        var harness = new BreakerHarness();

        harness.Breaker.Isolate();
        harness.Time.Advance(TimeSpan.FromHours(1));

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Isolated));
        var error = await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);
        Assert.That(error.RetryAfter, Is.Null);
        Assert.That(error.State, Is.EqualTo(CircuitState.Isolated));
        Assert.That(harness.Invoker.Count, Is.Zero);

        harness.Breaker.Reset();
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.SucceedAsync();
        Assert.That(harness.Invoker.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task Reset_AfterFailures_ClearsTheCount()
    {
        var harness = new BreakerHarness();
        await harness.FailAsync(4);

        harness.Breaker.Reset();
        await harness.FailAsync(4);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        Assert.That(harness.Transitions, Is.Empty, "resetting a closed circuit is no transition");
    }

    [Test]
    public async Task StateChanged_FullCycle_RaisesEachRealTransitionOnce()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { Name = "orders" });

        await harness.OpenAsync();
        await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);
        harness.Time.Advance(Break);
        _ = harness.Breaker.State;
        await harness.FailAsync(1);
        harness.Time.Advance(Break);
        await harness.SucceedAsync();
        await harness.SucceedAsync();
        harness.Breaker.Isolate();
        harness.Breaker.Isolate();
        harness.Breaker.Reset();
        harness.Breaker.Reset();

        var seen = harness.Transitions.Select(e => (e.PreviousState, e.NewState, e.Reason, e.FailureCount)).ToList();
        Assert.That(seen, Is.EqualTo(new[]
        {
            (CircuitState.Closed, CircuitState.Open, CircuitStateChangeReason.ConsecutiveFailures, 5),
            (CircuitState.Open, CircuitState.HalfOpen, CircuitStateChangeReason.BreakElapsed, 0),
            (CircuitState.HalfOpen, CircuitState.Open, CircuitStateChangeReason.ProbeFailed, 1),
            (CircuitState.Open, CircuitState.HalfOpen, CircuitStateChangeReason.BreakElapsed, 0),
            (CircuitState.HalfOpen, CircuitState.Closed, CircuitStateChangeReason.ProbeSucceeded, 0),
            (CircuitState.Closed, CircuitState.Isolated, CircuitStateChangeReason.Isolated, 0),
            (CircuitState.Isolated, CircuitState.Closed, CircuitStateChangeReason.Reset, 0),
        }));
        Assert.That(harness.Transitions.Select(e => e.BreakerName), Is.All.EqualTo("orders"));
        Assert.That(harness.Transitions.Select(e => e.Key), Is.All.Null);
    }

    [Test]
    public async Task StateChanged_HandlerUsesTheBreakerFromAnotherThread_DoesNotDeadlock()
    {
        var harness = new BreakerHarness();
        var otherThreadFinished = false;
        var stateSeen = CircuitState.Closed;
        harness.Breaker.StateChanged += (_, e) =>
        {
            if (e.NewState == CircuitState.Open)
            {
                stateSeen = harness.Breaker.State;

                // Blocks until another thread has taken the breaker's lock: deadlocks if the event ran under it.
                otherThreadFinished = Task.Run(harness.Breaker.Reset).Wait(BreakerHarness.Bound);
            }
        };

        await harness.FailAsync(5);

        Assert.That(otherThreadFinished, Is.True);
        Assert.That(stateSeen, Is.EqualTo(CircuitState.Open));
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task AsyncUnaryCall_AwaitedTwiceAndStatusRead_IsCountedOnce()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { FailureThreshold = 2 });
        harness.Invoker.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);

        using var call = harness.Client.ProcessAsync(new ProcessRequest());
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(BreakerHarness.Bound));
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(BreakerHarness.Bound));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        call.Dispose();

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task AsyncUnaryCall_KeySelector_GivesEachKeyItsOwnBreaker()
    {
        const string ProcessKey = "/unstable.v1.UnstableService/Process";
        const string SubscribeKey = "/unstable.v1.UnstableService/Subscribe";
        var harness = new BreakerHarness(new CircuitBreakerOptions { KeySelector = static method => method.FullName });

        await harness.FailAsync(5);

        Assert.That(harness.Breaker.GetState(ProcessKey), Is.EqualTo(CircuitState.Open));
        Assert.That(harness.Breaker.GetState(SubscribeKey), Is.EqualTo(CircuitState.Closed));
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open), "the most severe key");
        using (var stream = harness.Client.Subscribe(new SubscribeRequest()))
        {
            Assert.That(await stream.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(BreakerHarness.Bound), Is.False);
        }

        Assert.That(harness.Invoker.Count, Is.EqualTo(6));
        var error = await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);
        Assert.That(error.Key, Is.EqualTo(ProcessKey));
        Assert.That(harness.Transitions.Single().Key, Is.EqualTo(ProcessKey));

        harness.Breaker.Isolate(SubscribeKey);
        Assert.That(harness.Breaker.GetState(SubscribeKey), Is.EqualTo(CircuitState.Isolated));
        harness.Breaker.Reset(ProcessKey);
        Assert.That(harness.Breaker.GetState(ProcessKey), Is.EqualTo(CircuitState.Closed));
        harness.Breaker.Reset();
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task Isolate_KeySelectorAndKeySeenLater_NewKeyStartsIsolated()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { KeySelector = static method => method.FullName });

        harness.Breaker.Isolate();

        Assert.That(harness.Breaker.GetState("any"), Is.EqualTo(CircuitState.Isolated));
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Isolated));
        await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);
        Assert.That(harness.Invoker.Count, Is.Zero);
    }

    [Test]
    public void GetState_NoKeySelector_Throws()
    {
        var harness = new BreakerHarness();

        Assert.Throws<InvalidOperationException>(() => harness.Breaker.GetState("x"));
        Assert.Throws<InvalidOperationException>(() => harness.Breaker.Isolate("x"));
        Assert.Throws<InvalidOperationException>(() => harness.Breaker.Reset("x"));
    }
}
