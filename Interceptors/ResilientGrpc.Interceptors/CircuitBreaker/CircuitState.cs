namespace ResilientGrpc.Interceptors;

/// <summary>The state of a circuit breaker.</summary>
public enum CircuitState
{
    /// <summary>Calls flow; their outcomes are counted.</summary>
    Closed,

    /// <summary>Calls fail at once with <see cref="BrokenCircuitException"/> until the break duration has elapsed.</summary>
    Open,

    /// <summary>The break has elapsed: a limited number of probe calls test the server, the rest are rejected.</summary>
    HalfOpen,

    /// <summary>Held open by <see cref="CircuitBreakerInterceptor.Isolate()"/> until <see cref="CircuitBreakerInterceptor.Reset()"/>.</summary>
    Isolated,
}
