using Grpc.Core;
using Grpc.Net.Client.Configuration;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// grpc-dotnet's built-in hedging policy (gRFC A6), configured on the channel through a service config: like its retry
/// policy it lives in the channel's HTTP call, and it has no attempt timeout, so its callers bound a call by its deadline.
/// </summary>
public static class GrpcHedgingServiceConfig
{
    /// <summary>
    /// <see cref="PolicySettings.MaxAttempts"/> attempts from <paramref name="policy"/>, <paramref name="delay"/> apart;
    /// <c>UNAVAILABLE</c> is non-fatal (the next hedge goes at once), as in our hedging's defaults.
    /// </summary>
    public static ServiceConfig For(PolicySettings policy, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new ServiceConfig
        {
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { MethodName.Default },
                    HedgingPolicy = new HedgingPolicy
                    {
                        MaxAttempts = policy.MaxAttempts,
                        HedgingDelay = delay,
                        NonFatalStatusCodes = { StatusCode.Unavailable },
                    },
                },
            },
        };
    }
}
