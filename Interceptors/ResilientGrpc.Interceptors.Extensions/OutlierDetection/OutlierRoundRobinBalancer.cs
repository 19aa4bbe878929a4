using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// grpc-dotnet's subchannel balancing (one subchannel per resolved address, reconnects, the resolver's refreshes) with
/// <see cref="OutlierPicker"/> as its picker. Feeds the detector the resolver's address list, so the detector's state
/// (and the endpoints named in logs) stays bounded by it.
/// </summary>
internal sealed class OutlierRoundRobinBalancer(IChannelControlHelper controller, ILoggerFactory loggerFactory, OutlierDetector detector)
    : SubchannelsLoadBalancer(controller, loggerFactory)
{
    public override void UpdateChannelState(ChannelState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Addresses is { Count: > 0 } addresses)
        {
            detector.UpdateEndpoints(addresses.Select(ProbeMark.NameOf));
        }

        base.UpdateChannelState(state);
    }

    protected override SubchannelPicker CreatePicker(IReadOnlyList<Subchannel> readySubchannels) =>
        new OutlierPicker(readySubchannels, detector, Random.Shared.Next(0, readySubchannels.Count));
}
