using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// Our interceptors stacked as <c>WithResilience()</c> stacks them: retry → circuit breaker → deadline (outermost first).
/// </summary>
public static class OursStack
{
    /// <summary>Wraps <paramref name="invoker"/> with our three interceptors configured from <paramref name="policy"/>.</summary>
    public static CallInvoker Wrap(CallInvoker invoker, PolicySettings policy) =>
        invoker.Intercept(Create(policy));

    /// <summary>The three interceptors, outermost first; the breaker is exposed for the rejection benchmarks.</summary>
    public static Interceptor[] Create(PolicySettings policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return
        [
            new RetryInterceptor(new RetryOptions
            {
                MaxAttempts = policy.MaxAttempts,
                InitialBackoff = policy.InitialBackoff,
                MaxBackoff = policy.MaxBackoff,
                BackoffMultiplier = policy.BackoffMultiplier,
            }),
            new CircuitBreakerInterceptor(new CircuitBreakerOptions
            {
                FailureThreshold = policy.FailureThreshold,
                BreakDuration = policy.BreakDuration,
            }),
            new DeadlineInterceptor(new DeadlineOptions { Timeout = policy.AttemptTimeout }),
        ];
    }
}
