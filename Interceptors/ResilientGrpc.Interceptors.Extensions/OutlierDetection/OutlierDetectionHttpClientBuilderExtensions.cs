using System.Diagnostics.Metrics;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Options;
using ResilientGrpc.Interceptors;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Per-endpoint outlier detection for a client registered with <c>AddGrpcClient</c>.</summary>
public static class OutlierDetectionHttpClientBuilderExtensions
{
    /// <summary>
    /// Balances the client's calls round robin over the endpoints its address resolves to, ejecting an endpoint that
    /// keeps failing: applies <see cref="OutlierDetectionChannelOptionsExtensions.UseOutlierDetection"/> to the client's
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
        var name = builder.Name;
        return builder.ConfigureChannel((services, channelOptions) =>
        {
            var address = services.GetService<IOptionsMonitor<GrpcClientFactoryOptions>>()?.Get(name).Address;
            channelOptions.UseOutlierDetection(
                configure,
                services.GetService<TimeProvider>(),
                services.GetService<IMeterFactory>(),
                address?.OriginalString);
        });
    }
}
