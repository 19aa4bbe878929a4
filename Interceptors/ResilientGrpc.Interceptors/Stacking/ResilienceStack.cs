using System.Diagnostics.Metrics;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>
/// The patterns of a <see cref="ResilienceOptions"/>, built once and run in their stacking order, outermost first:
/// hedging, retry, circuit breaker, deadline. The one way our entry points compose a stack: <c>WithResilience</c> hosts
/// it as a call invoker (<see cref="ResilientCallInvoker"/>), the client factory's <c>AddResilience</c> as one interceptor
/// (<see cref="ResilienceInterceptor"/>). Each layer runs the same per-call code as the pattern's interceptor stacked
/// with <c>Intercept()</c>, and is handed the layers below it as a small value (<see cref="StackInvocation{TRequest, TResponse, TCall, TKind, TInner}"/>).
/// </summary>
internal sealed class ResilienceStack
{
    private ResilienceStack(HedgingInterceptor? hedging, RetryInterceptor? retry, CircuitBreakerInterceptor? circuitBreaker, DeadlineInterceptor? deadline)
    {
        Hedging = hedging;
        Retry = retry;
        CircuitBreaker = circuitBreaker;
        Deadline = deadline;
    }

    /// <summary>Hedging, when the options list hedged methods.</summary>
    public HedgingInterceptor? Hedging { get; }

    /// <summary>Retry, unless the options leave it out.</summary>
    public RetryInterceptor? Retry { get; }

    /// <summary>The circuit breaker, unless the options leave it out.</summary>
    public CircuitBreakerInterceptor? CircuitBreaker { get; }

    /// <summary>The deadline, unless the options leave it out.</summary>
    public DeadlineInterceptor? Deadline { get; }

    /// <summary>Whether the options leave every pattern out.</summary>
    public bool IsEmpty => Hedging is null && Retry is null && CircuitBreaker is null && Deadline is null;

    /// <summary>
    /// Builds the enabled patterns of <paramref name="options"/>, validated together so one exception names every
    /// invalid setting. <paramref name="target"/> is their <c>grpc.target</c> tag. Retry and hedging share one retry
    /// budget (gRFC A6: one per channel), made from whichever of them configures it; a call gets either retry or
    /// hedging, and retry takes the blocking calls of a hedged method, which hedging passes through.
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

        // The retry declares its calls' attempts only to a layer that reads them: a retry-only stack pays nothing for a
        // breaker it does not have.
        var declaresAttempts = breaker is not null || deadline is { LogsDeadlines: true };
        var retry = options.Retry is { } retryOptions
            ? new RetryInterceptor(retryOptions, services, random: null, hedging?.HedgedMethods, budget, declaresAttempts)
            : null;
        return new ResilienceStack(hedging, retry, breaker, deadline);
    }

    /// <summary>
    /// Runs a call of kind <typeparamref name="TKind"/> with <paramref name="context"/> through the layers from
    /// <paramref name="from"/> down, the last of which starts it through <paramref name="inner"/>.
    /// </summary>
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
                case StackLayer.Hedging when Hedging is { } hedging:
                    return default(TKind).Hedge(hedging, context, below);
                case StackLayer.Retry when Retry is { } retry:
                    return default(TKind).Retry(retry, context, below);
                case StackLayer.CircuitBreaker when CircuitBreaker is { } breaker:
                    return breaker.Intercept<TRequest, TResponse, TCall, StackInvocation<TRequest, TResponse, TCall, TKind, TInner>>(context, below);
                case StackLayer.Deadline when Deadline is { } deadline:
                    return default(TKind).Limit(deadline, context, below);
                case StackLayer.Network:
                    return inner.Start(context);
            }
        }
    }
}
