using Grpc.Core;
using Grpc.Net.Client.Configuration;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// grpc-dotnet's built-in retry policy (gRFC A6), configured on the channel through a service config. It lives in the
/// channel's HTTP call, so it has no interceptor form: it cannot be measured on a fake call invoker.
/// </summary>
public static class GrpcRetryServiceConfig
{
    /// <summary>MaxAttempts, InitialBackoff, MaxBackoff and BackoffMultiplier from <paramref name="policy"/>; retries Unavailable.</summary>
    public static ServiceConfig For(PolicySettings policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new ServiceConfig
        {
            MethodConfigs =
            {
                new MethodConfig
                {
                    Names = { MethodName.Default },
                    RetryPolicy = new RetryPolicy
                    {
                        MaxAttempts = policy.MaxAttempts,
                        InitialBackoff = policy.InitialBackoff,
                        MaxBackoff = policy.MaxBackoff,
                        BackoffMultiplier = policy.BackoffMultiplier,
                        RetryableStatusCodes = { StatusCode.Unavailable },
                    },
                },
            },
        };
    }
}
