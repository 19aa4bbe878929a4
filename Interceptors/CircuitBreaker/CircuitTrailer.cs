namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>
/// The trailer a <see cref="BrokenCircuitException"/> carries, so code that sees only a plain
/// <see cref="Grpc.Core.RpcException"/> (or its trailers) still knows the call never left the client.
/// </summary>
internal static class CircuitTrailer
{
    /// <summary>The trailer key.</summary>
    public const string Name = "resilientgrpc-circuit";

    /// <summary>The trailer value for a rejecting state: <c>open</c>, <c>half-open</c> or <c>isolated</c>.</summary>
    public static string ValueOf(CircuitState state) => state switch
    {
        CircuitState.HalfOpen => "half-open",
        CircuitState.Isolated => "isolated",
        _ => "open",
    };
}
