using System.Diagnostics.Metrics;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>
/// The patterns of a <see cref="ResilienceOptions"/>, built once and run outermost first: hedging, retry, adaptive
/// throttling, concurrency limit, circuit breaker, deadline. The one way our entry points compose a stack, hosted as a call invoker (<see cref="ResilientCallInvoker"/>)
/// or one interceptor (<see cref="ResilienceInterceptor"/>). Each layer runs its interceptor's per-call code, and is handed
/// the layers below as a small value (<see cref="StackInvocation{TRequest, TResponse, TCall, TKind, TInner}"/>).
/// </summary>
internal sealed class ResilienceStack(
    HedgingInterceptor? hedging,
    RetryInterceptor? retry,
    AdaptiveThrottlingInterceptor? adaptiveThrottling,
    ConcurrencyLimitInterceptor? concurrencyLimit,
    CircuitBreakerInterceptor? circuitBreaker,
    DeadlineInterceptor? deadline)
{
    public bool IsEmpty =>
        hedging is null && retry is null && adaptiveThrottling is null && concurrencyLimit is null && circuitBreaker is null && deadline is null;

    /// <summary>
    /// Builds the enabled patterns, validated together so one exception names every invalid setting. Retry and hedging
    /// share one retry budget (gRFC A6: one per channel); retry takes the calls of a hedged method that hedging passes through.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public static ResilienceStack Create(
        ResilienceOptions options, TimeProvider? timeProvider, ILoggerFactory? loggerFactory, IMeterFactory? meterFactory, string? target)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var services = InterceptorServices.From(timeProvider, loggerFactory, meterFactory, target);
        var budget = RetryThrottle.For(options.SharedThrottling);
        var hedging = options.Hedging is { } hedgingOptions ? new HedgingInterceptor(hedgingOptions, services, budget) : null;
        var breaker = options.CircuitBreaker is { } breakerOptions ? new CircuitBreakerInterceptor(breakerOptions, services) : null;
        var deadline = options.Deadline is { } deadlineOptions ? new DeadlineInterceptor(deadlineOptions, services) : null;
        var throttling = options.AdaptiveThrottling is { } throttlingOptions ? new AdaptiveThrottlingInterceptor(throttlingOptions, services, random: null) : null;
        var limit = options.ConcurrencyLimit is { } limitOptions ? new ConcurrencyLimitInterceptor(limitOptions, services) : null;

        // The retry declares its calls' attempts only to a layer that reads them: a retry-only stack pays nothing for a
        // breaker it does not have.
        var declaresAttempts = breaker is not null || throttling is not null || limit is not null || deadline is { LogsDeadlines: true };
        var retry = options.Retry is { } retryOptions
            ? new RetryInterceptor(retryOptions, services, random: null, hedging?.HedgedMethods, budget, declaresAttempts)
            : null;
        return new ResilienceStack(hedging, retry, throttling, limit, breaker, deadline);
    }

    /// <summary>Runs a call through the layers from <paramref name="from"/> down; the last starts it through <paramref name="inner"/>.</summary>
    public TCall Run<TRequest, TResponse, TCall, TKind, TInner>(StackLayer from, ClientInterceptorContext<TRequest, TResponse> context, TInner inner)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where TKind : struct, IStackedKind<TRequest, TResponse, TCall>
        where TInner : struct, IInvocation<TRequest, TResponse, TCall>
    {
        for (var layer = from; ; layer++)
        {
            var below = new StackInvocation<TRequest, TResponse, TCall, TKind, TInner>(this, layer + 1, inner);
            switch (layer)
            {
                case StackLayer.Hedging when hedging is not null:
                    return default(TKind).Hedge(hedging, context, below);
                case StackLayer.Retry when retry is not null:
                    return default(TKind).Retry(retry, context, below);
                case StackLayer.AdaptiveThrottling when adaptiveThrottling is not null:
                    return adaptiveThrottling.Intercept<TRequest, TResponse, TCall, StackInvocation<TRequest, TResponse, TCall, TKind, TInner>>(context, below);
                case StackLayer.ConcurrencyLimit when concurrencyLimit is not null:
                    return default(TKind).Concurrency(concurrencyLimit, context, below);
                case StackLayer.CircuitBreaker when circuitBreaker is not null:
                    return circuitBreaker.Intercept<TRequest, TResponse, TCall, StackInvocation<TRequest, TResponse, TCall, TKind, TInner>>(context, below);
                case StackLayer.Deadline when deadline is not null:
                    return default(TKind).Limit(deadline, context, below);
                case StackLayer.Network:
                    return inner.Start(context);
            }
        }
    }
}
