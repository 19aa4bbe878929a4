namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>The contenders of a chaos run.</summary>
public enum Contender
{
    /// <summary>A bare channel: no deadline, no retry, no breaker.</summary>
    Bare,

    /// <summary>grpc-dotnet's retry policy from a service config, with the attempt timeout as the call's deadline.</summary>
    GrpcBuiltInRetry,

    /// <summary>Polly v8: retry → circuit breaker → attempt timeout, in one interceptor.</summary>
    Polly,

    /// <summary>Ours: retry → circuit breaker → deadline, as WithResilience stacks them.</summary>
    Ours,
}
