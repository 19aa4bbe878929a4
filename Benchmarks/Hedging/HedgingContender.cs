namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>The contenders of the hedging profiles, in the order they run.</summary>
public enum HedgingContender
{
    /// <summary>Ours: <c>WithResilience</c> with hedging on <c>Process</c> (hedging → circuit breaker → deadline).</summary>
    OursHedging,

    /// <summary>Polly v8's hedging strategy with a timeout per attempt, in one interceptor.</summary>
    PollyHedging,

    /// <summary>grpc-dotnet's hedging policy from a service config.</summary>
    GrpcHedging,

    /// <summary>Ours as <c>WithResilience</c> stacks it by default, without hedging: retry → circuit breaker → deadline.</summary>
    OursWithoutHedging,
}
