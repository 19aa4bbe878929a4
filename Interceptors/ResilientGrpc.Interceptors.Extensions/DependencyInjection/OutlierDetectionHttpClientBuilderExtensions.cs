using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.DependencyInjection;
using ResilientGrpc.Interceptors.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Per-endpoint outlier detection for a client registered with <c>AddGrpcClient</c>.</summary>
/// <remarks>
/// The settings are the client's named <see cref="OutlierDetectionOptions"/>: invalid ones fail host start, with a
/// message that names each of them.
/// </remarks>
public static class OutlierDetectionHttpClientBuilderExtensions
{
    /// <summary>
    /// Balances the client's calls round robin over the endpoints its address resolves to, ejecting an endpoint that
    /// keeps failing: applies <see cref="OutlierDetectionChannelOptionsExtensions.UseOutlierDetection(Grpc.Net.Client.GrpcChannelOptions, Action{OutlierDetectionOptions}?, TimeProvider?, IMeterFactory?, string?)"/> to the client's
    /// channel, around the client factory's handler chain (so the status handler runs under grpc-dotnet's balancer),
    /// with the container's <see cref="TimeProvider"/> and <see cref="IMeterFactory"/> if registered, and the client's
    /// address as <c>grpc.target</c>. Call it after any <c>ConfigureChannel</c> that sets the service config.
    /// </summary>
    /// <param name="builder">The builder <c>AddGrpcClient</c> returned.</param>
    /// <param name="configure">Changes the ejection rules; null keeps the defaults.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    public static IHttpClientBuilder AddOutlierDetection(this IHttpClientBuilder builder, Action<OutlierDetectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<OutlierDetectionOptions>(builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return Add(builder, section: null);
    }

    /// <summary>
    /// Adds outlier detection as <see cref="AddOutlierDetection(IHttpClientBuilder, Action{OutlierDetectionOptions}?)"/>
    /// does, with its settings read from <paramref name="section"/> (for example <c>"OutlierDetection": { "Interval":
    /// "00:00:10" }</c>) as <see cref="ResilienceConfiguration.Bind(IConfiguration, OutlierDetectionOptions)"/> reads
    /// it; an unknown key or a value that cannot be read fails host start, named by its configuration path.
    /// </summary>
    /// <param name="builder">The builder <c>AddGrpcClient</c> returned.</param>
    /// <param name="section">The <c>OutlierDetection</c> section.</param>
    /// <param name="configure">Applied after the configuration, for settings that only code can express.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The same pair as AddResilience: from code, or from a section and then code; the section is required, so no call is ambiguous.")]
    public static IHttpClientBuilder AddOutlierDetection(
        this IHttpClientBuilder builder, IConfiguration section, Action<OutlierDetectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);

        // Keys that cannot be used are reported by the validator, with the invalid values, in one message.
        var options = builder.Services.AddOptions<OutlierDetectionOptions>(builder.Name)
            .Configure(o => ResilienceConfiguration.Read(section, o, OptionsProblems.InConfiguration(ResilienceConfiguration.PathOf(section))));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return Add(builder, section);
    }

    private static IHttpClientBuilder Add(IHttpClientBuilder builder, IConfiguration? section)
    {
        var name = builder.Name;
        builder.Services.AddSingleton<IValidateOptions<OutlierDetectionOptions>>(new OutlierDetectionOptionsValidator(name, section));
        builder.Services.AddOptions<OutlierDetectionOptions>(name).ValidateOnStart();
        return builder.ConfigureChannel((services, channelOptions) =>
        {
            var address = services.GetService<IOptionsMonitor<GrpcClientFactoryOptions>>()?.Get(name).Address;
            channelOptions.UseOutlierDetection(
                services.GetRequiredService<IOptionsMonitor<OutlierDetectionOptions>>().Get(name),
                services.GetService<TimeProvider>(),
                services.GetService<IMeterFactory>(),
                address?.OriginalString);
        });
    }
}
