using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// A contender's client on its own channel to the server: the contender's stack over <see cref="SentAttempts"/>, which
/// counts what leaves the client, and the breaker timeline.
/// </summary>
internal sealed class OverloadClient : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly UnstableService.UnstableServiceClient client;
    private readonly TimeSpan? callDeadline;

    public OverloadClient(OverloadContender contender, BenchmarkServer server, OverloadScenario scenario, int calls)
    {
        ArgumentNullException.ThrowIfNull(contender);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(scenario);
        Contender = contender;
        Breaker = new BreakerTimeline();
        Sent = new SentAttempts(calls);
        var setup = new ContenderSetup(scenario.Policy, scenario.Handlers, Breaker.Opened, Breaker.LoggerFactory);
        channel = server.CreateChannel(contender.ServiceConfig is { } config ? new GrpcChannelOptions { ServiceConfig = config(setup) } : null);
        client = new UnstableService.UnstableServiceClient(contender.Stack(channel.CreateCallInvoker().Intercept(Sent), setup));
        callDeadline = contender.CallDeadline ? scenario.Policy.AttemptTimeout : null;
    }

    public OverloadContender Contender { get; }

    /// <summary>Gets when the contender's breaker opened (empty for a contender without one).</summary>
    public BreakerTimeline Breaker { get; }

    /// <summary>Gets the attempts of each call that left the client.</summary>
    public SentAttempts Sent { get; }

    /// <summary>Starts one Process call, with the call deadline when the contender's caller sets one.</summary>
    public AsyncUnaryCall<ProcessReply> Process(ProcessRequest request) =>
        client.ProcessAsync(request, deadline: callDeadline is { } d ? DateTime.UtcNow + d : null);

    public void Dispose()
    {
        Breaker.Dispose();
        channel.Dispose();
    }
}
