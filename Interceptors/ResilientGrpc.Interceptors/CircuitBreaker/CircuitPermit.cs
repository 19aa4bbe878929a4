namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>
/// What a call was admitted as. The generation ties its outcome to the circuit period it was admitted in:
/// an outcome that arrives after the circuit moved on (opened, closed again, was reset) is stale and ignored.
/// </summary>
internal readonly record struct CircuitPermit(int Generation, bool IsProbe);
