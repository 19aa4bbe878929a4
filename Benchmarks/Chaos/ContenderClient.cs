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
    private readonly IDisposable connection;
    private readonly UnstableService.UnstableServiceClient client;
    private readonly TimeSpan? callDeadline;

    public ContenderClient(Contender contender, BenchmarkServer server, PolicySettings policy, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(policy);
        Contender = contender;
        Openings = contender == Contender.OursDefault ? BreakerOpenings.FromMeter() : new BreakerOpenings();
        if (contender == Contender.StandardResilienceHandler)
        {
            HandlerTelemetry = new PollyTelemetry(Openings.Increment);
            var factoryClient = new StandardResilienceHandlerClient(server.Address);
            connection = factoryClient;
            client = factoryClient.Client;
        }
        else
        {
            var channel = server.CreateChannel(contender == Contender.GrpcBuiltInRetry
                ? new GrpcChannelOptions { ServiceConfig = GrpcRetryServiceConfig.For(policy) }
                : null);
            connection = channel;
            client = contender switch
            {
                Contender.Polly => Clients.Polly(channel.CreateCallInvoker(), policy, Openings.Increment),
                Contender.OursRetryOnly => new(OursStack.Wrap(channel.CreateCallInvoker(), OursStack.RetryOnlyOptions(policy), loggerFactory)),
                Contender.OursDefault => Clients.Ours(channel.CreateCallInvoker(), policy, loggerFactory),
                _ => new UnstableService.UnstableServiceClient(channel),
            };
        }

        // Neither grpc-dotnet nor the HTTP handler has a per-attempt gRPC timeout: their callers set the call's deadline.
        callDeadline = contender is Contender.GrpcBuiltInRetry or Contender.StandardResilienceHandler ? policy.AttemptTimeout : null;
    }

    public Contender Contender { get; }

    /// <summary>Counts the openings of this contender's breaker (none for the contenders without one).</summary>
    public BreakerOpenings Openings { get; }

    /// <summary>Gets what the standard resilience handler's own telemetry reports (null for the other contenders).</summary>
    public PollyTelemetry? HandlerTelemetry { get; }

    /// <summary>Whether this contender has a circuit breaker whose openings are counted.</summary>
    public static bool HasBreaker(Contender contender) =>
        contender is Contender.StandardResilienceHandler or Contender.Polly or Contender.OursDefault;

    /// <summary>Starts one Process call.</summary>
    public AsyncUnaryCall<ProcessReply> Process(ProcessRequest request) =>
        client.ProcessAsync(request, deadline: callDeadline is { } d ? DateTime.UtcNow + d : null);

    /// <summary>
    /// Whether <paramref name="error"/> is a circuit breaker's rejection, made without sending the call: ours, or Polly's
    /// (from our Polly interceptor, or from inside the HTTP handler, which grpc-dotnet reports as the status's debug exception).
    /// </summary>
    public static bool IsLocalRejection(RpcException error) =>
        error is ResilientGrpc.Interceptors.BrokenCircuitException
        || error?.Status.DebugException is Polly.CircuitBreaker.BrokenCircuitException;

    public void Dispose()
    {
        Openings.Dispose();
        HandlerTelemetry?.Dispose();
        connection.Dispose();
    }
}
