using Grpc.Net.Client.Balancer;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// The channel's service provider with the <c>outlier_round_robin</c> factory added to the load-balancer factories
/// grpc-dotnet resolves from it; every other service comes from the provider the channel had, if any.
/// </summary>
internal sealed class BalancerServiceProvider(LoadBalancerFactory factory, IServiceProvider? inner) : IServiceProvider
{
    public IServiceProvider? Inner { get; } = inner;

    public object? GetService(Type serviceType)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceType != typeof(IEnumerable<LoadBalancerFactory>))
        {
            return Inner?.GetService(serviceType);
        }

        var others = Inner?.GetService(serviceType) as IEnumerable<LoadBalancerFactory> ?? [];
        return (IEnumerable<LoadBalancerFactory>)[factory, .. others.Where(f => f.Name != factory.Name)];
    }
}
