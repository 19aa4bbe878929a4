using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.DependencyInjection;
using ResilientGrpc.Interceptors.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Adds the resilience interceptors to a gRPC client registered with <c>services.AddGrpcClient&lt;TClient&gt;()</c>.
/// </summary>
/// <remarks>
/// The interceptors of a named client are created once and live as long as the application: the client factory
/// creates client instances often, and each of them shares the same circuit breaker and retry budget.
/// <see cref="TimeProvider"/>, <see cref="Microsoft.Extensions.Logging.ILoggerFactory"/> and
/// <see cref="System.Diagnostics.Metrics.IMeterFactory"/> are taken from the container when registered.
/// Invalid settings fail host start, with a message that names each of them.
/// </remarks>
public static class ResilienceHttpClientBuilderExtensions
{
    /// <summary>Adds deadline, retry and circuit breaker interceptors configured in code.</summary>
    /// <param name="builder">The builder returned by <c>AddGrpcClient</c>.</param>
    /// <param name="configure">Changes the defaults; set a pattern to <see langword="null"/> to leave it out.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IHttpClientBuilder AddResilience(this IHttpClientBuilder builder, Action<ResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<ResilienceOptions>(builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddInterceptors(builder, section: null);
    }

    /// <summary>
    /// Adds deadline, retry and circuit breaker interceptors configured from <paramref name="section"/>
    /// (for example <c>"Resilience": { "Retry": { "MaxAttempts": 3 } }</c>, or the environment variable
    /// <c>Resilience__Retry__MaxAttempts</c>), read as <see cref="ResilienceConfiguration.Bind"/> reads it: durations are
    /// written as <c>00:00:02</c>, a list given replaces the default list, and an unknown key or a value that cannot be
    /// read fails host start with the invalid settings, each named by its configuration path.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddGrpcClient</c>.</param>
    /// <param name="section">The configuration section holding <c>Deadline</c>, <c>Retry</c> and <c>CircuitBreaker</c>.</param>
    /// <param name="configure">Applied after the configuration, for settings that only code can express.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IHttpClientBuilder AddResilience(
        this IHttpClientBuilder builder,
        IConfiguration section,
        Action<ResilienceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        // Keys that cannot be used are reported by the validator, with the invalid values, in one message.
        var options = builder.Services.AddOptions<ResilienceOptions>(builder.Name)
            .Configure(o => ResilienceConfiguration.Read(section, o, OptionsProblems.InConfiguration(ResilienceConfiguration.PathOf(section))));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddInterceptors(builder, section);
    }

    private static IHttpClientBuilder AddInterceptors(IHttpClientBuilder builder, IConfiguration? section)
    {
        var name = builder.Name;
        builder.Services.TryAddSingleton<ResilienceInterceptorRegistry>();
        builder.Services.AddSingleton<IValidateOptions<ResilienceOptions>>(new ResilienceOptionsValidator(name, section));
        builder.Services.AddOptions<ResilienceOptions>(name)
            .PostConfigure(o =>
            {
                if (o.CircuitBreaker is { Name: CircuitBreakerOptions.DefaultName } breaker)
                {
                    breaker.Name = name;
                }
            })
            .ValidateOnStart();

        // Added outermost first: the client factory runs interceptors in the order they are added.
        builder.AddInterceptor(InterceptorScope.Client, sp => sp.GetRequiredService<ResilienceInterceptorRegistry>().Get(name).Hedging);
        builder.AddInterceptor(InterceptorScope.Client, sp => sp.GetRequiredService<ResilienceInterceptorRegistry>().Get(name).Retry);
        builder.AddInterceptor(InterceptorScope.Client, sp => sp.GetRequiredService<ResilienceInterceptorRegistry>().Get(name).CircuitBreaker);
        builder.AddInterceptor(InterceptorScope.Client, sp => sp.GetRequiredService<ResilienceInterceptorRegistry>().Get(name).Deadline);
        return builder;
    }
}
