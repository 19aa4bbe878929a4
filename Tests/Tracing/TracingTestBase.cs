using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Telemetry;

namespace ResilientGrpc.Tests.Tracing;

/// <summary>
/// The scripted network on fake time of the telemetry tests, and the default stack (retry → breaker → deadline) built
/// both ways users build it: <c>WithResilience</c> (the composed fast path) and <c>Intercept()</c>. Both must trace alike.
/// </summary>
public abstract class TracingTestBase : TelemetryTestBase
{
    /// <summary>The two ways to stack the interceptors.</summary>
    public static IEnumerable<string> Paths() => ["WithResilience", "Intercept"];

    /// <summary>
    /// The default stack with exact delays (1 s, 2 s), a breaker named <c>unstable</c> opening after
    /// <paramref name="failureThreshold"/> failed calls, and <paramref name="below"/> between it and the network.
    /// </summary>
    private protected UnstableService.UnstableServiceClient Stack(string path, int failureThreshold = 5, params Interceptor[] below)
    {
        var retry = new RetryOptions { JitterFactor = 0 };
        var breaker = new CircuitBreakerOptions { Name = "unstable", FailureThreshold = failureThreshold };
        var deadline = new DeadlineOptions();
        CallInvoker network = below.Length == 0 ? Network : Network.Intercept(below);
        return path switch
        {
            "WithResilience" => new(network.WithResilience(
                new ResilienceOptions { Retry = retry, CircuitBreaker = breaker, Deadline = deadline }, Clock, Loggers, Meters)),
            "Intercept" => new(network.Intercept(Retry(retry), Breaker(breaker), Deadline(deadline))),
            _ => throw new ArgumentOutOfRangeException(nameof(path), path, "unknown path"),
        };
    }

    /// <summary>A responder that fails the first <paramref name="failures"/> calls with <paramref name="code"/>, then answers.</summary>
    private protected static Func<Infrastructure.Arrival, CancellationToken, Task<object?>> FailFirst(int failures, StatusCode code, Metadata? trailers = null) =>
        (arrival, _) => arrival.Number <= failures
            ? Task.FromException<object?>(new RpcException(new Status(code, $"scripted {code}"), trailers ?? []))
            : Task.FromResult<object?>(null);
}
