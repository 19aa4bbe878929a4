using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>Races at the half-open moment and mixed parallel load: no extra probe, no lost or duplicate transition.</summary>
public sealed class CircuitBreakerConcurrencyTests
{
    private const int Callers = 200;

    [Test]
    [Repeat(50)]
    public async Task AsyncUnaryCall_ManyCallersRaceAtTheHalfOpenMoment_ExactlyOneProbe()
    {
        var harness = new BreakerHarness();
        await harness.OpenAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Invoker.Unary = BreakerHarness.HoldUntil(release.Task);
        harness.Time.Pass(TimeSpan.FromSeconds(30));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = new Task<AsyncUnaryCall<ProcessReply>>[Callers];
        for (var i = 0; i < Callers; i++)
        {
            calls[i] = Task.Run(async () =>
            {
                await start.Task;
                return harness.Client.ProcessAsync(new ProcessRequest());
            });
        }

        start.SetResult();
        var started = await Task.WhenAll(calls).WaitAsync(BreakerHarness.Bound);
        var rejected = 0;
        foreach (var call in started.Where(c => c.ResponseAsync.IsCompleted))
        {
            await BreakerHarness.RejectedAsync(call.ResponseAsync);
            rejected++;
        }

        Assert.That(harness.Invoker.Count, Is.EqualTo(6), "exactly one probe reached the network");
        Assert.That(rejected, Is.EqualTo(Callers - 1));
        release.SetResult();
        await Task.WhenAll(started.Select(c => c.ResponseAsync.ContinueWith(static _ => { }, TaskScheduler.Default)))
            .WaitAsync(BreakerHarness.Bound);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        Assert.That(
            harness.Transitions.Select(e => e.NewState),
            Is.EqualTo(new[] { CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed }));
    }

    [Test]
    [Repeat(10)]
    public async Task AsyncUnaryCall_ParallelMixedLoadAcrossBreaks_TransitionsBalance()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { FailureThreshold = 3, HalfOpenProbes = 2 });
        harness.Invoker.Unary = static (arrival, _) => arrival.Number % 7 == 0
            ? Task.FromResult<object?>(null)
            : Task.FromException<object?>(new RpcException(new Status(StatusCode.Unavailable, "flaky")));
        using var stop = new CancellationTokenSource();

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                await harness.ProcessAsync();
            }
        })).ToArray();
        var clock = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                harness.Time.Pass(TimeSpan.FromSeconds(31));
                await Task.Yield();
            }
        });

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await clock.WaitAsync(BreakerHarness.Bound);

        CircuitStateChangedEventArgs[] transitions;
        lock (harness.Transitions)
        {
            transitions = [.. harness.Transitions];
        }

        Assert.That(transitions, Is.Not.Empty);
        Assert.That(transitions.All(t => t.PreviousState != t.NewState), Is.True);

        // Every state is entered as often as it is left, except the start (Closed) and the state it ended in.
        var balance = Enum.GetValues<CircuitState>().ToDictionary(
            state => state,
            state => transitions.Count(t => t.NewState == state) - transitions.Count(t => t.PreviousState == state)
                + (state == CircuitState.Closed ? 1 : 0));
        Assert.That(balance.Values, Is.All.InRange(0, 1), string.Join(", ", balance));
        Assert.That(balance.Values.Sum(), Is.EqualTo(1));
        var stored = balance.Single(entry => entry.Value == 1).Key;
        var read = harness.Breaker.State;
        Assert.That(read == stored || (stored == CircuitState.Open && read == CircuitState.HalfOpen), Is.True, $"stored {stored}, read {read}");
    }

    [Test]
    [Repeat(20)]
    public async Task AsyncUnaryCall_ManyParallelFailures_OpenExactlyOnce()
    {
        var harness = new BreakerHarness(new CircuitBreakerOptions { FailureThreshold = 5 });
        harness.Invoker.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var calls = Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await harness.ProcessAsync();
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(calls).WaitAsync(BreakerHarness.Bound);

        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(harness.Transitions, Has.Count.EqualTo(1));
        Assert.That(harness.Invoker.Count, Is.LessThan(Callers), "the circuit shed load once open");
    }
}
