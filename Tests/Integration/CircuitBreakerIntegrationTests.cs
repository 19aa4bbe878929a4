using System.Collections.Concurrent;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Integration;

/// <summary>
/// The circuit breaker of the default stack, below the real retry interceptor, against the real chaos server: what
/// the server receives proves what the breaker lets through. Backoffs and the 30 s break run on the fake clock.
/// </summary>
public sealed class CircuitBreakerIntegrationTests
{
    private static readonly TimeSpan Bound = ChaosServerHost.DefaultTimeout;
    private ChaosServerHost host = null!;

    [OneTimeSetUp]
    public async Task StartServer() => host = await ChaosServerHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await host.DisposeAsync();

    [SetUp]
    public void StartOutage()
    {
        // A full outage: every call fails with UNAVAILABLE until chaos is switched off.
        host.Controller.Apply(new ChaosOptions { Enabled = true, OutageEvery = TimeSpan.FromHours(1), OutageFor = TimeSpan.FromMinutes(59) });
        host.Statistics.Reset();
    }

    [Test]
    public async Task Process_FullOutageThenRecovery_OpensAfterFiveFailedCallsRejectsWithoutNetworkProbesAfterBreakAndCloses()
    {
        // The defaults, with the retry's JitterFactor forced to 0 so the backoff delays are exactly 1 s and 2 s.
        using var stack = new ResilienceStack(host, ResilienceStack.DefaultsWithoutJitter());
        var transitions = new ConcurrentQueue<(CircuitState From, CircuitState To)>();
        stack.Breaker.StateChanged += (_, e) => transitions.Enqueue((e.PreviousState, e.NewState));

        // Calls 1 to 4: three attempts each, all failed: 4 failed calls and 12 failed attempts in a row; still closed.
        for (var call = 1; call <= 4; call++)
        {
            var failing = Call(stack, $"c{call}");
            await stack.AdvanceNextBackoff(TimeSpan.FromSeconds(1));
            await stack.AdvanceNextBackoff(TimeSpan.FromSeconds(2));
            var error = await Assert.ThrowsAsync<RpcException>(() => failing.WaitAsync(Bound));
            Assert.That(error, Is.Not.InstanceOf<BrokenCircuitException>());
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        }

        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Outage), Is.EqualTo(12));
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.Closed), "4 failed calls in a row do not open it");

        // Call 5: its 3rd attempt is the 15th failed attempt and the 5th failed call: the circuit opens.
        var fifth = Call(stack, "c5");
        await stack.AdvanceNextBackoff(TimeSpan.FromSeconds(1));
        await stack.AdvanceNextBackoff(TimeSpan.FromSeconds(2));
        var fifthError = await Assert.ThrowsAsync<RpcException>(() => fifth.WaitAsync(Bound));
        Assert.That(fifthError, Is.Not.InstanceOf<BrokenCircuitException>(), "the call that opened it saw the server's error");
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(15));
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.Open), "exactly the 5th failed call opens it");
        stack.Time.Pass(TimeSpan.FromSeconds(2));
        var refused = await Assert.ThrowsAsync<BrokenCircuitException>(() => Call(stack, "c6").WaitAsync(Bound));
        Assert.That(refused!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(refused.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(28)));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(15), "the refused call never reached the server");

        // While open: every call fails at once, is not retried, and nothing reaches the server.
        for (var i = 0; i < 3; i++)
        {
            var rejected = Call(stack, $"open{i}");
            Assert.That(rejected.IsCompleted, Is.True, "fails at once");
            await Assert.ThrowsAsync<BrokenCircuitException>(() => rejected.WaitAsync(Bound));
        }

        stack.Time.Pass(TimeSpan.FromSeconds(28) - TimeSpan.FromMilliseconds(1));
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.Open));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Call(stack, "almost").WaitAsync(Bound));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(15));
        Assert.That(stack.RetryClock.TimersCreated, Is.EqualTo(10), "a BrokenCircuitException is never retried");

        // 30 s after opening: one probe goes through; the outage goes on, so it fails and the circuit reopens.
        stack.Time.Pass(TimeSpan.FromMilliseconds(1));
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.HalfOpen));
        var probe = Call(stack, "probe1");
        await stack.BackoffStarted(11);
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(16), "exactly one probe");
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.Open), "the failed probe reopens it");
        stack.Time.Pass(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => probe.WaitAsync(Bound));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(16), "the retry of the failed probe was refused");

        // The server heals; after another 30 s the next probe succeeds and closes the circuit.
        host.Controller.Update(o => o.Enabled = false);
        stack.Time.Pass(TimeSpan.FromSeconds(29));
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.HalfOpen));
        var reply = await Call(stack, "probe2").WaitAsync(Bound);
        Assert.That(reply.RequestId, Is.EqualTo("probe2"));
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.Closed));
        Assert.That((await Call(stack, "after").WaitAsync(Bound)).RequestId, Is.EqualTo("after"));

        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(18));
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Outage), Is.EqualTo(16));
        Assert.That(transitions, Is.EqualTo(new[]
        {
            (CircuitState.Closed, CircuitState.Open),
            (CircuitState.Open, CircuitState.HalfOpen),
            (CircuitState.HalfOpen, CircuitState.Open),
            (CircuitState.Open, CircuitState.HalfOpen),
            (CircuitState.HalfOpen, CircuitState.Closed),
        }));
    }

    [Test]
    public async Task Process_CallsWhoseDeadlineHadPassed_NeverReachTheServerAndNeverOpenTheCircuit()
    {
        using var stack = new ResilienceStack(host);
        for (var i = 0; i < 20; i++)
        {
            var late = stack.Client.ProcessAsync(new ProcessRequest { RequestId = $"late{i}" }, deadline: DateTime.UtcNow.AddSeconds(-1));
            var error = await Assert.ThrowsAsync<RpcException>(() => late.ResponseAsync.WaitAsync(Bound));
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        }

        Assert.That(host.Statistics.TotalCalls, Is.Zero, "the channel fails such calls without sending them");
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.Closed), "failures the client caused say nothing about the server");
        host.Controller.Update(o => o.Enabled = false);
        Assert.That((await Call(stack, "on-time").WaitAsync(Bound)).RequestId, Is.EqualTo("on-time"));
    }

    [Test]
    public async Task Process_HungProbe_EndsAtItsDeadlineAndReopens()
    {
        using var stack = new ResilienceStack(host);
        for (var i = 0; i < 5; i++)
        {
            // Each call fails 3 times; the 15th failed attempt (the 5th call's last) opens the circuit.
            try
            {
                await stack.Drive(Call(stack, $"f{i}"), TimeSpan.FromSeconds(3));
            }
            catch (RpcException)
            {
            }
        }

        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.Open));
        var received = host.Statistics.TotalCalls;
        host.Controller.Apply(new ChaosOptions { Enabled = true, ErrorRate = 0, HangRate = 1, HangDuration = TimeSpan.FromMinutes(1) });
        stack.Time.Pass(TimeSpan.FromSeconds(30));

        // The probe hangs; meanwhile other callers are refused; the 2 s deadline (real time) ends it and it reopens.
        var probe = Call(stack, "hung-probe");
        await host.WaitForStatisticsAsync(s => s.TotalCalls == received + 1);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => Call(stack, "meanwhile").WaitAsync(Bound));
        var error = await Assert.ThrowsAsync<RpcException>(() => probe.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), error.Status.ToString());
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(received + 1));
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls == 1);
    }

    private static Task<ProcessReply> Call(ResilienceStack stack, string id) =>
        stack.Client.ProcessAsync(new ProcessRequest { RequestId = id }).ResponseAsync;
}
