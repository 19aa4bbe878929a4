using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>
/// A hedging contender's client on its own channel to the chaos server. Every call it makes carries the scenario's
/// caller deadline, if any, whoever the contender.
/// </summary>
public sealed class HedgingClient : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly UnstableService.UnstableServiceClient client;
    private readonly TimeSpan? callerDeadline;

    public HedgingClient(HedgingContender contender, BenchmarkServer server, HedgingScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(scenario);
        Contender = contender;
        var policy = scenario.Policy;
        Openings = contender is HedgingContender.OursHedging or HedgingContender.OursWithoutHedging ? BreakerOpenings.FromMeter() : new BreakerOpenings();
        channel = server.CreateChannel(contender == HedgingContender.GrpcHedging
            ? new GrpcChannelOptions { ServiceConfig = GrpcHedgingServiceConfig.For(policy, scenario.HedgeDelay) }
            : null);
        var invoker = channel.CreateCallInvoker();
        client = new UnstableService.UnstableServiceClient(contender switch
        {
            HedgingContender.OursHedging => OursStack.Wrap(invoker, OursStack.HedgingOptions(policy, scenario.HedgeDelay, scenario.Profile.OursHasBreaker)),
            HedgingContender.OursWithoutHedging => OursStack.Wrap(invoker, policy),
            HedgingContender.PollyHedging => invoker.Intercept(new PollyHedgingInterceptor(PollyHedgingPipeline.Create(policy, scenario.HedgeDelay))),
            _ => invoker,
        });
        callerDeadline = scenario.CallerDeadline;
    }

    public HedgingContender Contender { get; }

    /// <summary>Counts the openings of our breaker (none for the peers, which run without one).</summary>
    public BreakerOpenings Openings { get; }

    /// <summary>Whether <paramref name="contender"/> runs with a circuit breaker in <paramref name="profile"/>.</summary>
    public static bool HasBreaker(HedgingContender contender, HedgingProfile profile) =>
        contender == HedgingContender.OursWithoutHedging || (contender == HedgingContender.OursHedging && profile.OursHasBreaker);

    /// <summary>Starts one Process call with the caller's deadline, if the profile sets one.</summary>
    public AsyncUnaryCall<ProcessReply> Process(ProcessRequest request) =>
        client.ProcessAsync(request, deadline: DateTime.UtcNow + callerDeadline);

    public void Dispose()
    {
        Openings.Dispose();
        channel.Dispose();
    }
}
