using Grpc.Core;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Telemetry;

/// <summary>Each instrument of the ResilientGrpc meter: name, unit, tags and values.</summary>
public sealed class ResilienceMetricsTests : TelemetryTestBase
{
    [Test]
    public async Task Instruments_ThreeAttemptsThenUnavailable_RecordAttemptsCallAndRetries()
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        using var attempts = Collect<double>("grpc.client.attempt.duration");
        using var calls = Collect<double>("grpc.client.call.duration");
        using var retries = Collect<long>("grpc.client.call.retries");
        using var delay = Collect<double>("grpc.client.call.retry_delay");
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Retry(), Breaker(), Deadline());

        var error = await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(started.GetMeasurementSnapshot(), Has.Count.EqualTo(3));
        Assert.That(started.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(3));
        Assert.That(started.Instrument!.Unit, Is.EqualTo("{attempt}"));
        foreach (var m in started.GetMeasurementSnapshot())
        {
            Assert.That(Tag(m, "grpc.method"), Is.EqualTo(Method));
            Assert.That(Tag(m, "grpc.target"), Is.EqualTo(Target));
        }

        Assert.That(attempts.Instrument!.Unit, Is.EqualTo("s"));
        Assert.That(attempts.GetMeasurementSnapshot().Select(m => Tag(m, "grpc.status")), Is.EqualTo(new[] { "UNAVAILABLE", "UNAVAILABLE", "UNAVAILABLE" }));
        Assert.That(attempts.GetMeasurementSnapshot().Select(m => Tag(m, "grpc.method")), Is.All.EqualTo(Method));

        var call = calls.GetMeasurementSnapshot().Single();
        Assert.That(calls.Instrument!.Unit, Is.EqualTo("s"));
        Assert.That(Tag(call, "grpc.status"), Is.EqualTo("UNAVAILABLE"));
        Assert.That(Tag(call, "grpc.method"), Is.EqualTo(Method));
        Assert.That(Tag(call, "grpc.target"), Is.EqualTo(Target));
        Assert.That(call.Value, Is.EqualTo(3.0).Within(1e-9), "the whole call, backoff included, on fake time");

        var retried = retries.GetMeasurementSnapshot().Single();
        Assert.That(retried.Value, Is.EqualTo(2));
        Assert.That(Tag(retried, "grpc.method"), Is.EqualTo(Method));
        Assert.That(Tag(retried, "grpc.target"), Is.EqualTo(Target));

        var waited = delay.GetMeasurementSnapshot().Single();
        Assert.That(delay.Instrument!.Unit, Is.EqualTo("s"));
        Assert.That(waited.Value, Is.EqualTo(3.0).Within(1e-9), "1 s + 2 s with jitter 0");
    }

    [Test]
    public async Task Instruments_SuccessFirstTime_RecordOkAndNoRetries()
    {
        using var attempts = Collect<double>("grpc.client.attempt.duration");
        using var calls = Collect<double>("grpc.client.call.duration");
        using var retries = Collect<long>("grpc.client.call.retries");
        using var delay = Collect<double>("grpc.client.call.retry_delay");
        var client = Client(Retry(), Breaker(), Deadline());

        await client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(Tag(attempts.GetMeasurementSnapshot().Single(), "grpc.status"), Is.EqualTo("OK"));
        Assert.That(Tag(calls.GetMeasurementSnapshot().Single(), "grpc.status"), Is.EqualTo("OK"));
        Assert.That(retries.GetMeasurementSnapshot(), Is.Empty, "only calls that retried are recorded");
        Assert.That(delay.GetMeasurementSnapshot(), Is.Empty);
    }

    [Test]
    public async Task Instruments_AttemptHangsPastDeadline_RecordDeadlineExceeded()
    {
        using var attempts = Collect<double>("grpc.client.attempt.duration");
        using var calls = Collect<double>("grpc.client.call.duration");
        Network.Unary = ScriptedCallInvoker.Hang();
        var client = Client(Deadline(new DeadlineOptions { Timeout = TimeSpan.FromSeconds(2) }));

        var call = client.ProcessAsync(Request()).ResponseAsync;
        await Until(() => Network.Count == 1);
        Time.Pass(TimeSpan.FromSeconds(2));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(Bound));

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Tag(attempts.GetMeasurementSnapshot().Single(), "grpc.status"), Is.EqualTo("DEADLINE_EXCEEDED"));
        var ended = calls.GetMeasurementSnapshot().Single();
        Assert.That(Tag(ended, "grpc.status"), Is.EqualTo("DEADLINE_EXCEEDED"));
        Assert.That(ended.Value, Is.EqualTo(2.0).Within(1e-9));
    }

    [Test]
    public async Task RetryThrottled_BudgetRefusesRetry_CountsOncePerRefusal()
    {
        using var throttled = Collect<long>("resilientgrpc.retry.throttled");
        using var retries = Collect<long>("grpc.client.call.retries");
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var options = new RetryOptions
        {
            JitterFactor = 0,
            MaxAttempts = 2,
            Throttling = new RetryThrottlingOptions { MaxTokens = 2, TokenRatio = 0.1 },
        };
        var client = Client(Retry(options));

        // 2 tokens, 1 spent per failure: after the first failure 1 token is left, not above MaxTokens / 2.
        await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1);
        Assert.That(throttled.GetMeasurementSnapshot(), Has.Count.EqualTo(1), "the budget refused the only retry");
        Assert.That(Network.Count, Is.EqualTo(1));
        Assert.That(retries.GetMeasurementSnapshot(), Is.Empty, "no retry was made");

        var refusal = throttled.GetMeasurementSnapshot()[0];
        Assert.That(refusal.Value, Is.EqualTo(1));
        Assert.That(Tag(refusal, "grpc.method"), Is.EqualTo(Method));
        Assert.That(Tag(refusal, "grpc.target"), Is.EqualTo(Target));
        Assert.That(throttled.Instrument!.Unit, Is.EqualTo("{retry}"));
    }

    [Test]
    public async Task BreakerTransitions_OpenHalfOpenClosed_TaggedWithFromAndTo()
    {
        using var transitions = Collect<long>("resilientgrpc.circuit_breaker.transitions");
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var breaker = Breaker(new CircuitBreakerOptions { Name = "unstable", FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(30) });
        var client = Client(breaker);

        await FailTimes(client, 2);
        Time.Pass(TimeSpan.FromSeconds(30));
        Network.Unary = (_, _) => Task.FromResult<object?>(null);
        await client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(
            transitions.GetMeasurementSnapshot().Select(m => $"{Tag(m, "from")}->{Tag(m, "to")}"),
            Is.EqualTo(new[] { "closed->open", "open->half_open", "half_open->closed" }));
        Assert.That(transitions.GetMeasurementSnapshot().Select(m => Tag(m, "breaker")), Is.All.EqualTo("unstable"));
        Assert.That(transitions.GetMeasurementSnapshot().Select(m => m.Value), Is.All.EqualTo(1));
    }

    [Test]
    public async Task BreakerTransitions_ProbeFails_HalfOpenToOpen()
    {
        using var transitions = Collect<long>("resilientgrpc.circuit_breaker.transitions");
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Breaker(new CircuitBreakerOptions { Name = "unstable", FailureThreshold = 1 }));

        await FailTimes(client, 1);
        Time.Pass(TimeSpan.FromSeconds(30));
        await FailTimes(client, 1);

        Assert.That(
            transitions.GetMeasurementSnapshot().Select(m => $"{Tag(m, "from")}->{Tag(m, "to")}"),
            Is.EqualTo(new[] { "closed->open", "open->half_open", "half_open->open" }));
    }

    [Test]
    public async Task BreakerTransitions_IsolateAndReset_TaggedIsolated()
    {
        using var transitions = Collect<long>("resilientgrpc.circuit_breaker.transitions");
        var breaker = Breaker();

        breaker.Isolate();
        breaker.Reset();
        await Task.CompletedTask;

        Assert.That(
            transitions.GetMeasurementSnapshot().Select(m => $"{Tag(m, "from")}->{Tag(m, "to")}"),
            Is.EqualTo(new[] { "closed->isolated", "isolated->closed" }));
    }

    [Test]
    public async Task BreakerRejections_OpenCircuit_CountsEachRejectionWithMethod()
    {
        using var rejections = Collect<long>("resilientgrpc.circuit_breaker.rejections");
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Breaker(new CircuitBreakerOptions { Name = "unstable", FailureThreshold = 1 }));

        await FailTimes(client, 1);
        await FailTimes(client, 3);

        Assert.That(Network.Count, Is.EqualTo(1), "rejected calls never reach the network");
        var snapshot = rejections.GetMeasurementSnapshot();
        Assert.That(snapshot, Has.Count.EqualTo(3));
        Assert.That(snapshot.Select(m => Tag(m, "grpc.method")), Is.All.EqualTo(Method));
        Assert.That(snapshot.Select(m => Tag(m, "breaker")), Is.All.EqualTo("unstable"));
        Assert.That(rejections.Instrument!.Unit, Is.EqualTo("{call}"));
    }

    [Test]
    public async Task BreakerState_EachState_GaugeReads0To3()
    {
        using var state = Collect<int>("resilientgrpc.circuit_breaker.state");
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var breaker = Breaker(new CircuitBreakerOptions { Name = "unstable", FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(30) });
        var client = Client(breaker);

        Assert.That(Read(state), Is.EqualTo(0), "closed");
        await FailTimes(client, 1);
        Assert.That(Read(state), Is.EqualTo(1), "open");
        Time.Pass(TimeSpan.FromSeconds(30));
        Assert.That(Read(state), Is.EqualTo(2), "half-open as soon as the break elapsed, without traffic");
        breaker.Isolate();
        Assert.That(Read(state), Is.EqualTo(3), "isolated");
        breaker.Reset();
        Assert.That(Read(state), Is.EqualTo(0), "closed again");
        Assert.That(Tag(state.LastMeasurement!, "breaker"), Is.EqualTo("unstable"));
    }

    [Test]
    public void BreakerState_TwoBreakersOnOneFactory_OneMeasurementEach()
    {
        using var state = Collect<int>("resilientgrpc.circuit_breaker.state");
        var first = Breaker(new CircuitBreakerOptions { Name = "first" });
        var second = Breaker(new CircuitBreakerOptions { Name = "second" });
        second.Isolate();

        state.RecordObservableInstruments();

        var readings = state.GetMeasurementSnapshot().ToDictionary(m => (string)Tag(m, "breaker")!, m => m.Value);
        Assert.That(readings, Is.EquivalentTo(new Dictionary<string, int> { ["first"] = 0, ["second"] = 3 }));
        GC.KeepAlive(first);
    }

    [Test]
    public void Meter_PerFactory_NamedResilientGrpcAndScopedToFactory()
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        _ = Retry();

        Assert.That(started.Instrument, Is.Not.Null);
        Assert.That(started.Instrument!.Meter.Name, Is.EqualTo("ResilientGrpc"));
        Assert.That(started.Instrument.Meter.Scope, Is.SameAs(Meters));
        Assert.That(ResilienceTelemetry.MeterName, Is.EqualTo("ResilientGrpc"));
    }

    private static int Read(MetricCollector<int> state)
    {
        state.Clear();
        state.RecordObservableInstruments();
        return state.GetMeasurementSnapshot().Single().Value;
    }

    private static async Task FailTimes(Protos.UnstableService.UnstableServiceClient client, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        }
    }
}
