namespace ResilientGrpc.Interceptors;

/// <summary>Why a circuit breaker changed state.</summary>
public enum CircuitStateChangeReason
{
    /// <summary>
    /// <see cref="CircuitBreakerOptions.FailureThreshold"/> failed calls in a row opened the circuit, each made after
    /// the previous one had failed (a call that succeeds on a retry is a success).
    /// </summary>
    ConsecutiveFailures,

    /// <summary>The failure ratio over <see cref="CircuitBreakerOptions.SamplingDuration"/> reached <see cref="CircuitBreakerOptions.FailureRatio"/>.</summary>
    FailureRatio,

    /// <summary><see cref="CircuitBreakerOptions.BreakDuration"/> elapsed and a call arrived to probe the server.</summary>
    BreakElapsed,

    /// <summary>Every probe call succeeded, so the circuit closed.</summary>
    ProbeSucceeded,

    /// <summary>A probe call failed, so the circuit opened for another break.</summary>
    ProbeFailed,

    /// <summary><see cref="CircuitBreakerInterceptor.Isolate()"/> was called.</summary>
    Isolated,

    /// <summary><see cref="CircuitBreakerInterceptor.Reset()"/> was called.</summary>
    Reset,

    /// <summary>
    /// <see cref="CircuitBreakerOptions.AttemptFailureThreshold"/> failed attempts in a row, concurrent or not, opened
    /// the circuit (by default <see cref="CircuitBreakerOptions.FailureThreshold"/> × the attempts a retry may make).
    /// </summary>
    ConsecutiveFailedAttempts,
}
