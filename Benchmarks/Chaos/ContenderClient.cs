using Grpc.Core;
using Grpc.Net.Client;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Benchmarks.Overhead;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>A contender's client on its own channel to the chaos server, configured from one policy.</summary>
public sealed class ContenderClient : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly UnstableService.UnstableServiceClient client;
    private readonly TimeSpan? callDeadline;

    public ContenderClient(Contender contender, BenchmarkServer server, PolicySettings policy)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(policy);
        Contender = contender;
        channel = server.CreateChannel(contender == Contender.GrpcBuiltInRetry
            ? new GrpcChannelOptions { ServiceConfig = GrpcRetryServiceConfig.For(policy) }
            : null);
        client = contender switch
        {
            Contender.Polly => Clients.Polly(channel.CreateCallInvoker(), policy),
            Contender.Ours => Clients.Ours(channel.CreateCallInvoker(), policy),
            _ => new UnstableService.UnstableServiceClient(channel),
        };

        // grpc-dotnet has no per-attempt timeout: its callers set the deadline on the call, which spans every attempt.
        callDeadline = contender == Contender.GrpcBuiltInRetry ? policy.AttemptTimeout : null;
    }

    public Contender Contender { get; }

    /// <summary>Starts one Process call.</summary>
    public AsyncUnaryCall<ProcessReply> Process(ProcessRequest request) =>
        client.ProcessAsync(request, deadline: callDeadline is { } d ? DateTime.UtcNow + d : null);

    /// <summary>Whether <paramref name="error"/> is a circuit breaker's rejection, made without sending the call.</summary>
    public static bool IsLocalRejection(RpcException error) =>
        error is ResilientGrpc.Interceptors.BrokenCircuitException
        || error?.Status.DebugException is Polly.CircuitBreaker.BrokenCircuitException;

    public void Dispose() => channel.Dispose();
}
