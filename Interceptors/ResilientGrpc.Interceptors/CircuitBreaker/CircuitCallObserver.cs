using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>Reports how an admitted attempt ended, from the wrapper that observes it, to the breaker that admitted it.</summary>
internal readonly struct CircuitCallObserver(
    CircuitStateController controller,
    CircuitPermit permit,
    AttemptScope scope,
    CancellationToken callerToken) : ICallObserver
{
    public void OnEnded(Exception? error, CancellationToken readToken)
    {
        // A stream's attempt ends in the caller's read, where the call's span may not be current: transitions are marked on it.
        using var current = CurrentSpan.Of((scope.Owner as ResilienceCallContext)?.Span);
        controller.OnAttemptEnded(
            permit, scope.CallerGaveUp ? CallOutcome.Ignored : controller.Classify(error, callerToken, readToken), scope);
    }

    /// <summary>An attempt disposed before its final status was known counts as neither success nor failure.</summary>
    public void OnAbandoned() => controller.OnAttemptEnded(permit, CallOutcome.Ignored, scope);

    /// <summary>The call below threw instead of starting: a local error, which counts as nothing and frees a probe slot. False, for a filter.</summary>
    public bool LocalError()
    {
        OnAbandoned();
        return false;
    }
}
