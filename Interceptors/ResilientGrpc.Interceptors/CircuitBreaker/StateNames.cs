namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>The one spelling of circuit states in metric tags and the rejection trailer (<c>closed</c>, <c>half_open</c>, ...).</summary>
internal static class StateNames
{
    /// <summary>The trailer a <see cref="BrokenCircuitException"/> carries, so code that sees only its trailers still knows the call never left the client.</summary>
    public const string TrailerName = "resilientgrpc-circuit";

    public static string Of(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        CircuitState.Isolated => "isolated",
        _ => "unknown",
    };
}
