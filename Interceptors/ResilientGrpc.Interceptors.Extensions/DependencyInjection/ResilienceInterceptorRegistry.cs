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
/// The resilience stack of each named gRPC client, created on first use and kept for the container's lifetime, so
/// breaker state and retry budget survive the client factory creating new client instances.
/// </summary>
internal sealed class ResilienceInterceptorRegistry(IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, Lazy<Interceptor>> stacks = new(StringComparer.Ordinal);

    /// <summary>The stack of the client named <paramref name="name"/>, as one interceptor.</summary>
    public Interceptor Get(string name) =>
        stacks.GetOrAdd(name, static (n, sp) => new Lazy<Interceptor>(() => Create(n, sp)), services).Value;

    private static ResilienceInterceptor Create(string name, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptionsMonitor<ResilienceOptions>>().Get(name);
        var target = services.GetService<IOptionsMonitor<GrpcClientFactoryOptions>>()?.Get(name).Address?.Authority;
        return new ResilienceInterceptor(ResilienceStack.Create(
            options,
            services.GetService<TimeProvider>(),
            services.GetService<ILoggerFactory>(),
            services.GetService<IMeterFactory>(),
            target));
    }
}
