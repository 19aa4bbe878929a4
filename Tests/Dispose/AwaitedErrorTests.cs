using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.CircuitBreaker;

namespace ResilientGrpc.Tests.Dispose;

/// <summary>
/// Observing the errors of disposed calls never swallows one: a caller who awaits a call, before or after disposing
/// it, sees its error with status, detail and trailers unchanged.
/// </summary>
[NonParallelizable]
public sealed class AwaitedErrorTests
{
    [Test, Combinatorial]
    public async Task Await_ServerFailsCall_SurfacesStatusDetailAndTrailersUnchanged(
        [Values] Layers layers, [Values] CallKind kind, [Values] bool telemetry)
    {
        using var harness = new DisposeHarness(telemetry);
        var denied = new RpcException(
            new Status(StatusCode.PermissionDenied, $"denied {harness.Marker}"),
            new Metadata { { UnobservedTaskRecorder.MarkerTrailer, harness.Marker } });
        harness.Network.Unary = (_, _) => Task.FromException<object?>(denied);
        harness.Network.Stream = (_, _) => Failing(denied);
        using var call = StartedCall.Start(harness.Client(layers), kind, completeRequests: true);

        var error = await call.FailureAsync();

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
        Assert.That(error.Status.Detail, Is.EqualTo(denied.Status.Detail));
        Assert.That(error.Trailers.GetValue(UnobservedTaskRecorder.MarkerTrailer), Is.EqualTo(harness.Marker));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
        Assert.That(call.GetTrailers().GetValue(UnobservedTaskRecorder.MarkerTrailer), Is.EqualTo(harness.Marker));
    }

    /// <remarks>
    /// Hedging is left out: a disposed hedged call may have several attempts in flight, and fails with its own
    /// <c>Cancelled</c> at once instead of waiting for one of them to report its cancellation.
    /// </remarks>
    [Test, Combinatorial]
    public async Task AwaitAfterDispose_AttemptInFlight_FailsWithTheAttemptsError(
        [Values(Layers.Stack, Layers.Retry, Layers.Breaker, Layers.Deadline)] Layers layers,
        [Values(CallKind.Unary, CallKind.ClientStreaming)] CallKind kind,
        [Values] bool telemetry)
    {
        using var harness = new DisposeHarness(telemetry);
        harness.Hang();
        using var call = StartedCall.Start(harness.Client(layers), kind, completeRequests: true);
        await DisposeHarness.Until(() => harness.Answering == 1);

        call.Dispose();
        var error = await call.FailureAsync();

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(error.Status.Detail, Is.EqualTo($"scripted Cancelled {harness.Marker}"));
    }

    [Test, Combinatorial]
    public async Task AwaitAfterDispose_DuringBackoff_FailsCancelledWithTheLastAttemptsTrailers(
        [Values(Layers.Stack, Layers.Retry)] Layers layers,
        [Values(CallKind.Unary, CallKind.ServerStreaming)] CallKind kind,
        [Values] bool telemetry)
    {
        using var harness = new DisposeHarness(telemetry);
        harness.FailEveryAttempt();
        using var call = StartedCall.Start(harness.Client(layers), kind, completeRequests: false);
        await DisposeHarness.Until(() => harness.Clock.TimersCreated >= 1);

        call.Dispose();
        var error = await call.FailureAsync();

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(error.Trailers.GetValue(UnobservedTaskRecorder.MarkerTrailer), Is.EqualTo(harness.Marker));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(harness.Network.Count, Is.EqualTo(1));
    }

    [Test, Combinatorial]
    public async Task AwaitAfterDispose_RefusedByOpenCircuit_FailsWithTheBreakersError(
        [Values(Layers.Stack, Layers.Breaker)] Layers layers, [Values] CallKind kind, [Values] bool telemetry)
    {
        using var harness = new DisposeHarness(telemetry);
        var client = harness.Client(layers);
        await UnobservedTaskTests.OpenCircuitAsync(harness, client, layers);
        using var call = StartedCall.Start(client, kind, completeRequests: false);

        call.Dispose();
        var error = await call.FailureAsync();
        var headersError = await Assert.CatchAsync<RpcException>(() => call.ResponseHeadersAsync.WaitAsync(DisposeHarness.Bound));

        Assert.That(error, Is.InstanceOf<BrokenCircuitException>());
        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(error.Status.Detail, Does.Contain(harness.Marker));
        Assert.That(error.Trailers.GetValue(StateNames.TrailerName), Is.Not.Null);
        Assert.That(headersError, Is.SameAs(error), "the headers fail with the same error");
        Assert.That(call.GetStatus().Detail, Is.EqualTo(error.Status.Detail));
    }

    private static async IAsyncEnumerable<object> Failing(RpcException error)
    {
        yield return await Task.FromException<object>(error);
    }
}
