using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpc.Core.Interceptors;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ResilientGrpc.Interceptors.Stacking;

namespace ResilientGrpc.Interceptors.DependencyInjection;

/// <summary>
/// The interceptors of each named gRPC client, created on first use and kept for the container's lifetime,
/// so breaker state and retry budget survive the client factory creating new client instances.
/// </summary>
internal sealed class ResilienceInterceptorRegistry(IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, Lazy<Set>> sets = new(StringComparer.Ordinal);

    public Set Get(string name) =>
        sets.GetOrAdd(name, static (n, sp) => new Lazy<Set>(() => Create(n, sp)), services).Value;

    private static Set Create(string name, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptionsMonitor<ResilienceOptions>>().Get(name);
        var target = services.GetService<IOptionsMonitor<GrpcClientFactoryOptions>>()?.Get(name).Address?.Authority;
        var stack = ResilienceStack.Create(
            options,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>(),
            services.GetService<IMeterFactory>(),
            target);
        return new Set(
            stack.OfType<HedgingInterceptor>().FirstOrDefault() ?? (Interceptor)PassThrough.Instance,
            stack.OfType<RetryInterceptor>().FirstOrDefault() ?? (Interceptor)PassThrough.Instance,
            stack.OfType<CircuitBreakerInterceptor>().FirstOrDefault() ?? (Interceptor)PassThrough.Instance,
            stack.OfType<DeadlineInterceptor>().FirstOrDefault() ?? (Interceptor)PassThrough.Instance);
    }

    /// <summary>One client's interceptors; a disabled pattern is a pass-through.</summary>
    internal sealed record Set(Interceptor Hedging, Interceptor Retry, Interceptor CircuitBreaker, Interceptor Deadline);

    /// <summary>Stands in for a pattern the options leave out.</summary>
    private sealed class PassThrough : Interceptor
    {
        public static readonly PassThrough Instance = new();
    }
}
