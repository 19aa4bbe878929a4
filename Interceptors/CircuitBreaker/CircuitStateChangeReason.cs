namespace ResilientGrpc.Interceptors;

/// <summary>Why a circuit breaker changed state.</summary>
public enum CircuitStateChangeReason
{
    /// <summary><see cref="CircuitBreakerOptions.FailureThreshold"/> failures in a row opened the circuit.</summary>
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
}
