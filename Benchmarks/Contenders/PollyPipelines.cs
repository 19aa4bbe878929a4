using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// Polly v8 configured as close to our semantics as it allows, in the order that gives the same behaviour as ours:
/// retry (outermost) → circuit breaker → timeout per attempt.
/// </summary>
/// <remarks>
/// Differences Polly imposes: it has no consecutive-failures breaker, so the breaker is failure-ratio 100 % over
/// at least <see cref="PolicySettings.FailureThreshold"/> calls in its shortest sampling window (0.5 s), which opens on
/// the same five failures in a row under load but not after one success in the window; its exponential backoff
/// with jitter is decorrelated jitter (mean 1 s → 2 s) rather than ±20 %.
/// </remarks>
public static class PollyPipelines
{
    /// <summary>Polly's shortest sampling window: the closest it gets to counting consecutive failures.</summary>
    public static readonly TimeSpan SamplingDuration = TimeSpan.FromSeconds(0.5);

    private static readonly HashSet<StatusCode> BreakerFailures =
    [
        StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Internal,
        StatusCode.Unknown, StatusCode.ResourceExhausted, StatusCode.DataLoss,
    ];

    /// <summary>
    /// The full pipeline: retry → circuit breaker → attempt timeout; with Polly's telemetry (logs and its <c>Polly</c>
    /// meter) when <paramref name="loggerFactory"/> is given.
    /// </summary>
    public static ResiliencePipeline Create(
        PolicySettings policy, TimeProvider? timeProvider = null, Action? onOpened = null, ILoggerFactory? loggerFactory = null)
    {
        var builder = Builder(timeProvider);
        if (loggerFactory is not null)
        {
            builder.ConfigureTelemetry(loggerFactory);
        }

        return builder.AddRetry(Retry(policy)).AddCircuitBreaker(Breaker(policy, onOpened)).AddTimeout(policy.AttemptTimeout).Build();
    }

    /// <summary>
    /// The full pipeline with Polly's concurrency limiter (Polly.RateLimiting) as a bulkhead on attempts: retry → concurrency
    /// limiter → circuit breaker → attempt timeout. At most <paramref name="permitLimit"/> attempts are in flight at once; an
    /// attempt over that is refused at once (no queue) with <see cref="Polly.RateLimiting.RateLimiterRejectedException"/>,
    /// which the retry does not retry and the breaker, inside the limiter, never sees. A call holds no permit during its backoff.
    /// </summary>
    public static ResiliencePipeline WithConcurrencyLimit(PolicySettings policy, int permitLimit, Action? onOpened = null) =>
        Builder(timeProvider: null)
            .AddRetry(Retry(policy))
            .AddConcurrencyLimiter(permitLimit, queueLimit: 0)
            .AddCircuitBreaker(Breaker(policy, onOpened))
            .AddTimeout(policy.AttemptTimeout)
            .Build();

    /// <summary>The circuit breaker alone, for measuring a rejection without the other layers.</summary>
    public static ResiliencePipeline BreakerOnly(PolicySettings policy, TimeProvider? timeProvider = null) =>
        Builder(timeProvider).AddCircuitBreaker(Breaker(policy)).Build();

    private static ResiliencePipelineBuilder Builder(TimeProvider? timeProvider) =>
        new() { TimeProvider = timeProvider ?? TimeProvider.System };

    private static RetryStrategyOptions Retry(PolicySettings policy) => new()
    {
        MaxRetryAttempts = policy.MaxAttempts - 1,
        Delay = policy.InitialBackoff,
        MaxDelay = policy.MaxBackoff,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => e.StatusCode == StatusCode.Unavailable),
    };

    private static CircuitBreakerStrategyOptions Breaker(PolicySettings policy, Action? onOpened = null) => new()
    {
        OnOpened = _ =>
        {
            onOpened?.Invoke();
            return default;
        },
        FailureRatio = 1.0,
        MinimumThroughput = policy.FailureThreshold,
        SamplingDuration = SamplingDuration,
        BreakDuration = policy.BreakDuration,
        ShouldHandle = new PredicateBuilder()
            .Handle<RpcException>(e => BreakerFailures.Contains(e.StatusCode))
            .Handle<TimeoutRejectedException>(),
    };
}
