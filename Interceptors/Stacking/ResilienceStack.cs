using System.Diagnostics.Metrics;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>Builds the interceptors of a <see cref="ResilienceOptions"/> in their stacking order.</summary>
internal static class ResilienceStack
{
    /// <summary>
    /// The enabled interceptors, outermost first (retry, circuit breaker, deadline), validated together so one
    /// exception names every invalid setting. <paramref name="target"/> is their <c>grpc.target</c> tag.
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
        var interceptors = new List<Interceptor>(3);
        if (options.Retry is { } retry)
        {
            interceptors.Add(new RetryInterceptor(retry, services));
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
