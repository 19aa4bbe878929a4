namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>Where a <see cref="CircuitStateController"/> reports what it did, outside its lock, on the thread that caused it.</summary>
internal interface ICircuitObserver
{
    /// <summary>A breaker changed state; called once per real transition.</summary>
    void OnTransition(in CircuitTransition transition);

    void OnRejected(in CircuitRejection rejection);
}

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

/// <summary>One call rejected without being sent, reported to <see cref="ICircuitObserver.OnRejected"/>.</summary>
/// <param name="Key">The breaker's key, or null when the interceptor has one breaker.</param>
/// <param name="State">The state that rejected it.</param>
/// <param name="Ordinal">1 for the first rejection since the last transition (log it), 2 for the next, ...</param>
internal readonly record struct CircuitRejection(string? Key, CircuitState State, int Ordinal);
