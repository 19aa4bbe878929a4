using System.Diagnostics.Metrics;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using ResilientGrpc.Interceptors.OutlierDetection;

namespace ResilientGrpc.Interceptors;

/// <summary>Per-endpoint outlier detection on a channel that balances over several addresses (<c>dns:///</c>, <c>static:///</c>).</summary>
public static class OutlierDetectionChannelOptionsExtensions
{
    /// <summary>The name of the load-balancing policy <see cref="UseOutlierDetection(GrpcChannelOptions, Action{OutlierDetectionOptions}?, TimeProvider?, IMeterFactory?, string?)"/> selects: round robin with ejection.</summary>
    public const string PolicyName = OutlierRoundRobinBalancerFactory.PolicyName;

    /// <summary>
    /// Balances the channel's calls round robin over its resolved endpoints and ejects an endpoint that keeps failing
    /// (see <see cref="OutlierDetectionOptions"/>): sets the service config's load-balancing policy to
    /// <see cref="PolicyName"/>, adds its factory to <see cref="GrpcChannelOptions.ServiceProvider"/> (keeping the
    /// provider's other services, such as a resolver factory), and puts the handler that reads each attempt's gRPC
    /// status around <see cref="GrpcChannelOptions.HttpHandler"/> (a new <see cref="SocketsHttpHandler"/> when none is
    /// set, which the channel then disposes). Call it once per channel, after setting those three options. The detector
    /// is the channel's; disposing the channel's handler stops it.
    /// </summary>
    /// <param name="channelOptions">The options of the channel to create.</param>
    /// <param name="configure">Changes the ejection rules; null keeps the defaults.</param>
    /// <param name="timeProvider">The detector's clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="meterFactory">Creates the meter; the shared <see cref="ResilienceTelemetry.MeterName"/> meter when null.</param>
    /// <param name="target">The <c>grpc.target</c> tag of the metrics, usually the channel's address; <c>unknown</c> when null.</param>
    /// <returns><paramref name="channelOptions"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException"><see cref="GrpcChannelOptions.HttpClient"/> is set: the handler cannot be placed.</exception>
    public static GrpcChannelOptions UseOutlierDetection(
        this GrpcChannelOptions channelOptions,
        Action<OutlierDetectionOptions>? configure = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null,
        string? target = null)
    {
        ArgumentNullException.ThrowIfNull(channelOptions);
        var options = new OutlierDetectionOptions();
        configure?.Invoke(options);
        return channelOptions.UseOutlierDetection(options, timeProvider, meterFactory, target);
    }

    /// <summary>Applies outlier detection with <paramref name="options"/>, validated and copied here.</summary>
    internal static GrpcChannelOptions UseOutlierDetection(
        this GrpcChannelOptions channelOptions, OutlierDetectionOptions options, TimeProvider? timeProvider, IMeterFactory? meterFactory, string? target)
    {
        if (channelOptions.HttpClient is not null)
        {
            throw new InvalidOperationException(
                "Outlier detection reads each attempt's status with a handler under the balancer: set GrpcChannelOptions.HttpHandler, not HttpClient.");
        }

        var channel = new OutlierChannel(options, timeProvider, meterFactory, target);

        if (channelOptions.HttpHandler is null)
        {
            channelOptions.HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
            channelOptions.DisposeHttpClient = true;
        }

        channelOptions.HttpHandler = new OutlierStatusHandler(channel) { InnerHandler = channelOptions.HttpHandler };
        channelOptions.ServiceProvider = new BalancerServiceProvider(new OutlierRoundRobinBalancerFactory(channel), channelOptions.ServiceProvider);
        var serviceConfig = channelOptions.ServiceConfig ??= new ServiceConfig();
        serviceConfig.LoadBalancingConfigs.Clear();
        serviceConfig.LoadBalancingConfigs.Add(new LoadBalancingConfig(PolicyName));
        return channelOptions;
    }
}
