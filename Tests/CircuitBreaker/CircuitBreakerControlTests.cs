using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>Isolate, Reset, the StateChanged event and keyed breakers.</summary>
public sealed class CircuitBreakerControlTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Isolate_HoldsOpenUntilReset_RejectsWithoutRetryAfter()
    {
        var harness = new BreakerHarness();

        harness.Breaker.Isolate();
        harness.Time.Pass(TimeSpan.FromHours(1));

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
    public async Task Reset_OfAnOpenCircuit_CountsAfresh()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();

        harness.Breaker.Reset();
        await harness.FailAsync(4);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed), "the five failures that opened it are forgotten");
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(harness.Invoker.Count, Is.EqualTo(10));
    }

    [Test]
    public async Task StateChanged_FullCycle_RaisesEachRealTransitionOnce()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { Name = "orders" });

        await harness.OpenAsync();
        await BreakerHarness.RejectedAsync(harness.Client.ProcessAsync(new ProcessRequest()).ResponseAsync);
        harness.Time.Pass(Break);
        _ = harness.Breaker.State;
        await harness.FailAsync(1);
        harness.Time.Pass(Break);
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

    [Test]
    public void KeyedControls_NullKey_ThrowArgumentNullExceptionNamingIt()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { KeySelector = method => method.ServiceName });

        Assert.That(Assert.Throws<ArgumentNullException>(() => harness.Breaker.GetState(null!))!.ParamName, Is.EqualTo("key"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => harness.Breaker.Isolate(null!))!.ParamName, Is.EqualTo("key"));
        Assert.That(Assert.Throws<ArgumentNullException>(() => harness.Breaker.Reset(null!))!.ParamName, Is.EqualTo("key"));
    }
}
