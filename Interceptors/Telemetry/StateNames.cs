namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>Circuit state tag values (<c>closed</c>, <c>open</c>, <c>half_open</c>, <c>isolated</c>).</summary>
internal static class StateNames
{
    public static string Of(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        CircuitState.Isolated => "isolated",
        _ => "unknown",
    };
}
