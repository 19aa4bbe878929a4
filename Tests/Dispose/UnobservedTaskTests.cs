using Grpc.Core;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Dispose;

/// <summary>
/// A call its caller disposes without ever awaiting leaves no unobserved faulted task behind, as grpc-dotnet's own
/// calls do not: nothing reaches <see cref="TaskScheduler.UnobservedTaskException"/> once the garbage is collected.
/// Each case makes <see cref="DisposeHarness.Calls"/> calls; only errors carrying the case's marker are counted.
/// </summary>
[NonParallelizable]
public sealed class UnobservedTaskTests
{
    [Test, Combinatorial]
    public async Task Dispose_AttemptInFlight_LeavesNoUnobservedTask(
        [Values] Layers layers, [Values] CallKind kind, [Values] bool telemetry)
    {
        using var harness = new DisposeHarness(telemetry);
        using var recorder = new UnobservedTaskRecorder(harness.Marker);
        harness.Hang();
        var client = harness.Client(layers);

        harness.Start(client, kind, completeRequests: true);
        Assert.That(harness.Network.Count, Is.EqualTo(DisposeHarness.Calls), "every call is in flight on the network");
        await DisposeHarness.Until(() => harness.Answering == AnsweredAttempts(layers, kind));
        await harness.DisposeAllAsync(untilEnded: AnsweredAttempts(layers, kind) > 0);

        Assert.That(harness.Network.Arrivals.All(a => a.IsDisposed), Is.True, "disposing a call ends its attempt");
        await AssertNoneUnobservedAsync(harness, recorder, telemetry);
    }

    [Test, Combinatorial]
    public async Task Dispose_DuringBackoff_LeavesNoUnobservedTask(
        [Values(Layers.Stack, Layers.Retry)] Layers layers,
        [Values(CallKind.Unary, CallKind.ServerStreaming)] CallKind kind,
        [Values] bool telemetry)
    {
        using var harness = new DisposeHarness(telemetry);
        using var recorder = new UnobservedTaskRecorder(harness.Marker);
        harness.FailEveryAttempt();

        // A threshold above the number of calls keeps the circuit closed, so every call waits to retry.
        var client = harness.Client(layers, failureThreshold: 10 * DisposeHarness.Calls);

        harness.Start(client, kind, completeRequests: false);
        await DisposeHarness.Until(() => harness.Clock.TimersCreated >= DisposeHarness.Calls);
        await harness.DisposeAllAsync(untilEnded: true);
        harness.Time.Pass(TimeSpan.FromMinutes(1));

        Assert.That(harness.Network.Count, Is.EqualTo(DisposeHarness.Calls), "a call disposed during its backoff is not retried");
        await AssertNoneUnobservedAsync(harness, recorder, telemetry);
    }

    [Test, Combinatorial]
    public async Task Dispose_RefusedByOpenCircuit_LeavesNoUnobservedTask(
        [Values(Layers.Stack, Layers.Breaker)] Layers layers, [Values] CallKind kind, [Values] bool telemetry)
    {
        using var harness = new DisposeHarness(telemetry);
        using var recorder = new UnobservedTaskRecorder(harness.Marker);
        var client = harness.Client(layers);
        await OpenCircuitAsync(harness, client, layers);
        var sent = harness.Network.Count;

        harness.Start(client, kind, completeRequests: false);
        await harness.DisposeAllAsync(untilEnded: true);

        Assert.That(harness.Network.Count, Is.EqualTo(sent), "an open circuit sends nothing");
        await AssertNoneUnobservedAsync(harness, recorder, telemetry);
    }

    [Test, Combinatorial]
    public async Task Dispose_InFlightWithHeadersReadAbove_LeavesNoUnobservedTask(
        [Values] Layers layers, [Values] CallKind kind, [Values] bool telemetry)
    {
        using var harness = new DisposeHarness(telemetry);
        using var recorder = new UnobservedTaskRecorder(harness.Marker);
        harness.Hang();
        var client = harness.Client(layers, above: new EagerWrappingInterceptor());

        harness.Start(client, kind, completeRequests: true);
        await DisposeHarness.Until(() => harness.Answering == AnsweredAttempts(layers, kind));
        await harness.DisposeAllAsync(untilEnded: AnsweredAttempts(layers, kind) > 0);

        await AssertNoneUnobservedAsync(harness, recorder, telemetry);
    }

    [Test, Combinatorial]
    public async Task Dispose_RefusedWithHeadersReadAbove_LeavesNoUnobservedTask(
        [Values(Layers.Stack, Layers.Breaker)] Layers layers, [Values] CallKind kind, [Values] bool telemetry)
    {
        using var harness = new DisposeHarness(telemetry);
        using var recorder = new UnobservedTaskRecorder(harness.Marker);
        var client = harness.Client(layers, above: new EagerWrappingInterceptor());
        await OpenCircuitAsync(harness, client, layers);

        harness.Start(client, kind, completeRequests: false);
        await harness.DisposeAllAsync(untilEnded: true);

        await AssertNoneUnobservedAsync(harness, recorder, telemetry);
    }

    /// <summary>
    /// How many attempts the network starts to answer: every unary and (request stream completed) client-streaming
    /// call; a server stream when retry or hedging reads its first message ahead; no duplex stream, since nobody reads it. Only
    /// those calls come to an end once disposed; the others have no outcome until someone reads them.
    /// </summary>
    internal static int AnsweredAttempts(Layers layers, CallKind kind) => kind switch
    {
        CallKind.Unary or CallKind.ClientStreaming => DisposeHarness.Calls,
        CallKind.ServerStreaming when layers is Layers.Stack or Layers.Retry or Layers.Hedging => DisposeHarness.Calls,
        _ => 0,
    };

    /// <summary>
    /// Opens the circuit: the breaker alone is isolated; the stack's breaker sees five failed calls (DeadlineExceeded,
    /// which the breaker counts and retry does not retry), each awaited.
    /// </summary>
    internal static async Task OpenCircuitAsync(DisposeHarness harness, UnstableService.UnstableServiceClient client, Layers layers)
    {
        if (layers == Layers.Breaker)
        {
            harness.Breaker!.Isolate();
            return;
        }

        harness.Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.DeadlineExceeded);
        for (var i = 0; i < 5; i++)
        {
            using var call = client.ProcessAsync(new ProcessRequest());
            await Assert.CatchAsync<RpcException>(() => call.ResponseAsync.WaitAsync(DisposeHarness.Bound));
        }

        harness.Network.Unary = (_, _) => throw new AssertionException("an open circuit let a call through");
    }

    private static async Task AssertNoneUnobservedAsync(DisposeHarness harness, UnobservedTaskRecorder recorder, bool telemetry)
    {
        // A retried stream has its status a moment before its read-ahead task ends (the give-up is logged between):
        // collect again after that moment, so a task that ended late still counts.
        await Task.Yield();
        UnobservedTaskRecorder.Collect();
        await Task.Delay(5);
        UnobservedTaskRecorder.Collect();

        Assert.That(recorder.Seen, Is.Empty, recorder.Describe);
        if (telemetry)
        {
            Assert.That(harness.Measurements, Is.GreaterThan(0), "telemetry recorded the calls");
        }
    }
}
