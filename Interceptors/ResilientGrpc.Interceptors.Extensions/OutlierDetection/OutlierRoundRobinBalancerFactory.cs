using Grpc.Net.Client.Balancer;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// The <c>outlier_round_robin</c> load-balancing policy of one channel: round robin with per-endpoint ejection, on the
/// channel's one detector (a balancer the channel creates again, on a new service config, keeps the same detector).
/// </summary>
internal sealed class OutlierRoundRobinBalancerFactory(OutlierChannel channel) : LoadBalancerFactory
{
    public const string PolicyName = "outlier_round_robin";

    public override string Name => PolicyName;

    public OutlierChannel Channel { get; } = channel;

    public override LoadBalancer Create(LoadBalancerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new OutlierRoundRobinBalancer(options.Controller, options.LoggerFactory, Channel.DetectorFor(options.LoggerFactory));
    }
}
