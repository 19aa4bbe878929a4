namespace ResilientGrpc.Interceptors;

/// <summary>Describes one transition of a circuit breaker, raised by <see cref="CircuitBreakerInterceptor.StateChanged"/>.</summary>
public sealed class CircuitStateChangedEventArgs : EventArgs
{
    /// <summary>Creates the description of a transition.</summary>
    /// <param name="breakerName">The <see cref="CircuitBreakerOptions.Name"/> of the breaker.</param>
    /// <param name="key">The key of the breaker, or null when no <see cref="CircuitBreakerOptions.KeySelector"/> is set.</param>
    /// <param name="previousState">The state before the transition.</param>
    /// <param name="newState">The state after the transition.</param>
    /// <param name="reason">Why the state changed.</param>
    /// <param name="failureCount">The failures counted when the circuit opened; 0 for other transitions.</param>
    public CircuitStateChangedEventArgs(
        string breakerName,
        string? key,
        CircuitState previousState,
        CircuitState newState,
        CircuitStateChangeReason reason,
        int failureCount)
    {
        BreakerName = breakerName;
        Key = key;
        PreviousState = previousState;
        NewState = newState;
        Reason = reason;
        FailureCount = failureCount;
    }

    /// <summary>The <see cref="CircuitBreakerOptions.Name"/> of the breaker.</summary>
    public string BreakerName { get; }

    /// <summary>The key of the breaker that changed, or null when no <see cref="CircuitBreakerOptions.KeySelector"/> is set.</summary>
    public string? Key { get; }

    /// <summary>The state before the transition.</summary>
    public CircuitState PreviousState { get; }

    /// <summary>The state after the transition.</summary>
    public CircuitState NewState { get; }

    /// <summary>Why the state changed.</summary>
    public CircuitStateChangeReason Reason { get; }

    /// <summary>
    /// When the circuit opened on failures: the failed calls in a row (<see cref="CircuitStateChangeReason.ConsecutiveFailures"/>),
    /// the failed attempts in a row (<see cref="CircuitStateChangeReason.ConsecutiveFailedAttempts"/>) or the failed calls in
    /// the sampling window (<see cref="CircuitStateChangeReason.FailureRatio"/>); 1 when a probe failed; otherwise 0.
    /// </summary>
    public int FailureCount { get; }
}
