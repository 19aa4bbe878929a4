using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.CircuitBreaker.Controller;

/// <summary>Reports how an admitted call ended to the breaker that admitted it.</summary>
internal readonly struct CircuitCallObserver(
    CircuitStateController controller,
    CircuitPermit permit,
    OutcomeClassifier classifier,
    CancellationToken callerToken) : ICallObserver
{
    public void OnEnded(Exception? error, CancellationToken readToken) =>
        controller.OnCompleted(permit, classifier.Classify(error, callerToken, readToken));

    /// <summary>A call disposed before its final status was known counts as neither success nor failure.</summary>
    public void OnAbandoned() => controller.OnCompleted(permit, CallOutcome.Ignored);
}
