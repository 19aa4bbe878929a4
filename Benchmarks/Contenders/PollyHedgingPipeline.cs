using Grpc.Core;
using Polly;
using Polly.Hedging;
using Polly.Timeout;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// Polly v8's hedging strategy configured like our hedging: up to <see cref="PolicySettings.MaxAttempts"/> copies of a
/// call, the next one after <c>delay</c> or at once when an attempt fails with <c>UNAVAILABLE</c> or its own timeout, and
/// a timeout per attempt inside the hedging (hedging → timeout), as our deadline sits below our hedging.
/// </summary>
/// <remarks>
/// What Polly cannot do, since it knows nothing of gRPC: it reads no server pushback, sends no
/// <c>grpc-previous-rpc-attempts</c>, and has no commit rule for streams. Its pipelines are typed by result, so this one
/// is typed <see cref="object"/> to serve every method of a client through one interceptor.
/// </remarks>
public static class PollyHedgingPipeline
{
    /// <summary>The pipeline for <paramref name="policy"/>'s attempts and attempt timeout, with hedges <paramref name="delay"/> apart.</summary>
    public static ResiliencePipeline<object> Create(PolicySettings policy, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return new ResiliencePipelineBuilder<object>()
            .AddHedging(new HedgingStrategyOptions<object>
            {
                MaxHedgedAttempts = policy.MaxAttempts - 1,
                Delay = delay,
                ShouldHandle = new PredicateBuilder<object>()
                    .Handle<RpcException>(e => e.StatusCode == StatusCode.Unavailable)
                    .Handle<TimeoutRejectedException>(),
            })
            .AddTimeout(policy.AttemptTimeout)
            .Build();
    }
}
