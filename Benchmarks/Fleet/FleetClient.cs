using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Benchmarks.Overhead;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Fleet;

/// <summary>
/// A fleet contender's client: one channel balancing round robin over every replica, resolved statically, with the
/// contender's resilience on top (see <see cref="FleetContender"/>).
/// </summary>
public sealed class FleetClient : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly ServiceProvider services;
    private readonly UnstableService.UnstableServiceClient client;
    private readonly TimeSpan? callDeadline;

    public FleetClient(FleetContender contender, IReadOnlyList<BenchmarkServer> replicas, PolicySettings policy)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(policy);
        var addresses = replicas.Select(r => new BalancerAddress(r.Address.Host, r.Address.Port)).ToArray();
        services = new ServiceCollection().AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => addresses)).BuildServiceProvider();
        var config = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
        if (contender == FleetContender.GrpcRoundRobinRetry)
        {
            config.MethodConfigs.Add(GrpcRetryServiceConfig.For(policy).MethodConfigs[0]);
        }

        var options = new GrpcChannelOptions { Credentials = ChannelCredentials.Insecure, ServiceProvider = services, ServiceConfig = config };
        if (contender == FleetContender.OursEjection)
        {
            options.UseOutlierDetection(target: "static:///fleet");
        }

        channel = GrpcChannel.ForAddress("static:///fleet", options);
        var invoker = channel.CreateCallInvoker();
        client = contender switch
        {
            FleetContender.OursEjection or FleetContender.OursWithoutEjection => new(OursStack.Wrap(invoker, policy)),
            FleetContender.Polly => Clients.Polly(invoker, policy),
            _ => new(invoker),
        };

        // grpc-dotnet's retry has no attempt timeout: its callers bound a call by its deadline.
        callDeadline = contender == FleetContender.GrpcRoundRobinRetry ? policy.AttemptTimeout : null;
    }

    /// <summary>Starts one Process call.</summary>
    public AsyncUnaryCall<ProcessReply> Process(ProcessRequest request) =>
        client.ProcessAsync(request, deadline: callDeadline is { } d ? DateTime.UtcNow + d : null);

    public void Dispose()
    {
        channel.Dispose();
        services.Dispose();
    }
}
