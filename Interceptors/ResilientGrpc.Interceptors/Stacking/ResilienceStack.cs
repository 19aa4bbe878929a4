using System.Diagnostics.Metrics;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>Builds the interceptors of a <see cref="ResilienceOptions"/> in their stacking order.</summary>
internal static class ResilienceStack
{
    /// <summary>
    /// The enabled interceptors, outermost first (hedging, retry, circuit breaker, deadline), validated together so one
    /// exception names every invalid setting. <paramref name="target"/> is their <c>grpc.target</c> tag. Retry and
    /// hedging share one retry budget (gRFC A6: one per channel), made from whichever of them configures it.
    /// </summary>
    public static Interceptor[] Create(
        ResilienceOptions options,
        TimeProvider? timeProvider,
        ILoggerFactory? loggerFactory,
        IMeterFactory? meterFactory,
        string? target)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var services = InterceptorServices.From(timeProvider, loggerFactory, meterFactory, target);
        var budget = RetryThrottle.For(options.SharedThrottling);
        var interceptors = new List<Interceptor>(4);
        HedgingInterceptor? hedging = null;
        if (options.Hedging is { } hedgingOptions)
        {
            hedging = new HedgingInterceptor(hedgingOptions, services, budget);
            interceptors.Add(hedging);
        }

        if (options.Retry is { } retry)
        {
            // A call gets either retry or hedging (gRFC A6): the retry interceptor leaves the async unary and
            // server-streaming calls of the hedged methods alone, and retries the blocking ones hedging passes through.
            interceptors.Add(new RetryInterceptor(retry, services, random: null, hedging?.HedgedMethods, budget));
        }

        if (options.CircuitBreaker is { } breaker)
        {
            interceptors.Add(new CircuitBreakerInterceptor(breaker, services));
        }

        if (options.Deadline is { } deadline)
        {
            interceptors.Add(new DeadlineInterceptor(deadline, services));
        }

        return [.. interceptors];
    }
}
