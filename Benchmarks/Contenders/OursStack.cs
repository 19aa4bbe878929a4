using Grpc.Core;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>Our interceptors as users stack them: <c>WithResilience()</c> (retry → circuit breaker → deadline).</summary>
public static class OursStack
{
    /// <summary>The full name of the method the hedging options hedge.</summary>
    public const string ProcessMethod = "/unstable.v1.UnstableService/Process";

    /// <summary>Wraps <paramref name="invoker"/> with <c>WithResilience</c> configured from <paramref name="policy"/>.</summary>
    public static CallInvoker Wrap(CallInvoker invoker, PolicySettings policy, ILoggerFactory? loggerFactory = null) =>
        Wrap(invoker, Options(policy), loggerFactory);

    /// <summary>Wraps <paramref name="invoker"/> with <c>WithResilience</c> configured with <paramref name="options"/>.</summary>
    public static CallInvoker Wrap(CallInvoker invoker, ResilienceOptions options, ILoggerFactory? loggerFactory = null) =>
        invoker.WithResilience(options, loggerFactory: loggerFactory);

    /// <summary>The options of <see cref="Options"/> without the breaker (<c>CircuitBreaker = null</c>): retry → deadline.</summary>
    public static ResilienceOptions RetryOnlyOptions(PolicySettings policy)
    {
        var options = Options(policy);
        options.CircuitBreaker = null;
        return options;
    }

    /// <summary>
    /// The options of <see cref="Options"/> with hedging on <c>Process</c>: <see cref="PolicySettings.MaxAttempts"/>
    /// attempts, <paramref name="delay"/> apart (hedging → circuit breaker → deadline); without the breaker unless
    /// <paramref name="withBreaker"/>.
    /// </summary>
    public static ResilienceOptions HedgingOptions(PolicySettings policy, TimeSpan delay, bool withBreaker = true)
    {
        var options = Options(policy);
        options.Hedging = new HedgingOptions
        {
            HedgedMethods = { ProcessMethod },
            MaxAttempts = policy.MaxAttempts,
            Delay = delay,
        };
        if (!withBreaker)
        {
            options.CircuitBreaker = null;
        }

        return options;
    }

    /// <summary>The options equivalent to <paramref name="policy"/>; with <see cref="PolicySettings.Default"/> they equal the defaults.</summary>
    public static ResilienceOptions Options(PolicySettings policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new ResilienceOptions
        {
            Retry = new RetryOptions
            {
                MaxAttempts = policy.MaxAttempts,
                InitialBackoff = policy.InitialBackoff,
                MaxBackoff = policy.MaxBackoff,
                BackoffMultiplier = policy.BackoffMultiplier,
            },
            CircuitBreaker = new CircuitBreakerOptions
            {
                FailureThreshold = policy.FailureThreshold,
                BreakDuration = policy.BreakDuration,
                MinimumSilence = policy.MinimumSilence,
            },
            Deadline = new DeadlineOptions { Timeout = policy.AttemptTimeout },
        };
    }
}
