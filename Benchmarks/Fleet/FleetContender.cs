namespace ResilientGrpc.Benchmarks.Fleet;

/// <summary>The contenders of the fleet profile, in the order they run; every one balances round robin over the same three replicas.</summary>
public enum FleetContender
{
    /// <summary>Ours: <c>UseOutlierDetection()</c> under <c>WithResilience</c> (retry → breaker → deadline).</summary>
    OursEjection,

    /// <summary>Ours without ejection: grpc-dotnet's <c>round_robin</c> under <c>WithResilience</c>, so only the channel's breaker.</summary>
    OursWithoutEjection,

    /// <summary>grpc-dotnet's <c>round_robin</c> with its service-config retry policy; the attempt deadline as the call's.</summary>
    GrpcRoundRobinRetry,

    /// <summary>grpc-dotnet's <c>round_robin</c> with Polly v8 (retry → breaker → timeout) in an interceptor.</summary>
    Polly,
}
