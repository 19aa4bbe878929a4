namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>One real state change of one breaker, reported to <see cref="ICircuitObserver.OnTransition"/> after the lock is released.</summary>
/// <param name="Key">The breaker's key, or null when the interceptor has one breaker.</param>
/// <param name="From">The state before.</param>
/// <param name="To">The state after.</param>
/// <param name="Reason">Why.</param>
/// <param name="FailureCount">Failures counted when it opened on failures; otherwise 0.</param>
/// <param name="RejectedCalls">Calls rejected since the circuit last left Closed (for "N calls rejected while open" at close).</param>
internal readonly record struct CircuitTransition(
    string? Key,
    CircuitState From,
    CircuitState To,
    CircuitStateChangeReason Reason,
    int FailureCount,
    int RejectedCalls);
