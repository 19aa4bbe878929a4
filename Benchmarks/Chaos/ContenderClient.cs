using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
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

    public ContenderClient(Contender contender, BenchmarkServer server, PolicySettings policy, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(policy);
        Contender = contender;
        channel = server.CreateChannel(contender == Contender.GrpcBuiltInRetry
            ? new GrpcChannelOptions { ServiceConfig = GrpcRetryServiceConfig.For(policy) }
            : null);
        Openings = contender == Contender.Ours ? BreakerOpenings.FromMeter() : new BreakerOpenings();
        client = contender switch
        {
            Contender.Polly => Clients.Polly(channel.CreateCallInvoker(), policy, Openings.Increment),
            Contender.Ours => Clients.Ours(channel.CreateCallInvoker(), policy, loggerFactory),
            _ => new UnstableService.UnstableServiceClient(channel),
        };

        // grpc-dotnet has no per-attempt timeout: its callers set the deadline on the call, which spans every attempt.
        callDeadline = contender == Contender.GrpcBuiltInRetry ? policy.AttemptTimeout : null;
    }

    public Contender Contender { get; }

    /// <summary>Counts the openings of this contender's breaker (none for bare and grpc built-in retry).</summary>
    public BreakerOpenings Openings { get; }

    /// <summary>Starts one Process call.</summary>
    public AsyncUnaryCall<ProcessReply> Process(ProcessRequest request) =>
        client.ProcessAsync(request, deadline: callDeadline is { } d ? DateTime.UtcNow + d : null);

    /// <summary>Whether <paramref name="error"/> is a circuit breaker's rejection, made without sending the call.</summary>
    public static bool IsLocalRejection(RpcException error) =>
        error is ResilientGrpc.Interceptors.BrokenCircuitException
        || error?.Status.DebugException is Polly.CircuitBreaker.BrokenCircuitException;

    public void Dispose()
    {
        Openings.Dispose();
        channel.Dispose();
    }
}
