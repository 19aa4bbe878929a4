namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>The contenders of a chaos run, in the order they run.</summary>
public enum Contender
{
    /// <summary>A bare channel: no deadline, no retry, no breaker.</summary>
    Bare,

    /// <summary>grpc-dotnet's retry policy from a service config, with the attempt timeout as the call's deadline.</summary>
    GrpcBuiltInRetry,

    /// <summary>
    /// Microsoft.Extensions.Http.Resilience's <c>AddStandardResilienceHandler()</c> with its defaults on the gRPC client
    /// factory's HttpClient (what .NET Aspire installs on every client), with the attempt timeout as the call's deadline.
    /// </summary>
    StandardResilienceHandler,

    /// <summary>Polly v8: retry → circuit breaker → attempt timeout, in one interceptor.</summary>
    Polly,

    /// <summary>Ours without a breaker: <c>WithResilience</c> with <c>CircuitBreaker = null</c> (retry → deadline).</summary>
    OursRetryOnly,

    /// <summary>Ours as <c>WithResilience</c> stacks it by default: retry → circuit breaker → deadline.</summary>
    OursDefault,
}
