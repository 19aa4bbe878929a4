using ResilientGrpc.Interceptors.Internal.Calls;


namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>Reports how an admitted attempt ended to the breaker that admitted it.</summary>
internal readonly struct CircuitCallObserver(
    CircuitStateController controller,
    CircuitPermit permit,
    AttemptScope scope,
    CancellationToken callerToken) : ICallObserver
{
    public void OnEnded(Exception? error, CancellationToken readToken) =>
        controller.OnAttemptEnded(
            permit, scope.CallerGaveUp ? CallOutcome.Ignored : controller.Classify(error, callerToken, readToken), scope);

    /// <summary>An attempt disposed before its final status was known counts as neither success nor failure.</summary>
    public void OnAbandoned() => controller.OnAttemptEnded(permit, CallOutcome.Ignored, scope);
}
