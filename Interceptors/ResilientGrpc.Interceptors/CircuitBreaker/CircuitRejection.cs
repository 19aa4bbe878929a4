namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>One call rejected without being sent, reported to <see cref="ICircuitObserver.OnRejected"/>.</summary>
/// <param name="Key">The breaker's key, or null when the interceptor has one breaker.</param>
/// <param name="State">The state that rejected it.</param>
/// <param name="Ordinal">1 for the first rejection since the last transition (log it), 2 for the next, ...</param>
internal readonly record struct CircuitRejection(string? Key, CircuitState State, int Ordinal);
