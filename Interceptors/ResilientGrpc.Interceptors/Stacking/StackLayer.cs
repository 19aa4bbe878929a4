namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>The layers of a <see cref="ResilienceStack"/>, outermost first; a call goes through each one the stack has.</summary>
internal enum StackLayer
{
    /// <summary>Hedging: several overlapping attempts of an idempotent call.</summary>
    Hedging,

    /// <summary>Retry: several attempts one after another.</summary>
    Retry,

    /// <summary>Adaptive throttling: sends or refuses each attempt, by how many the server accepted of late.</summary>
    AdaptiveThrottling,

    /// <summary>The concurrency limit: admits or refuses each unary attempt, by how many are in flight.</summary>
    ConcurrencyLimit,

    /// <summary>The circuit breaker: admits or refuses each attempt.</summary>
    CircuitBreaker,

    /// <summary>The deadline of each attempt, and a stream's first-response and idle limits.</summary>
    Deadline,

    /// <summary>Below every layer: the call invoker or continuation the stack wraps.</summary>
    Network,
}
