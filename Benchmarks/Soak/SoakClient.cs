using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Benchmarks.Overhead;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>
/// Our default stack in its production configuration on one channel to the chaos server: <c>WithResilience</c> with the
/// scenario's policy, logging at Warning into a sink that formats every message (<see cref="FormattingLoggerProvider"/>),
/// and a <see cref="TelemetryListener"/> recording every instrument of the library's meter, as an exporter would.
/// </summary>
internal sealed class SoakClient : IDisposable
{
    private readonly GrpcChannel channel;
    private readonly ILoggerFactory loggerFactory;
    private readonly UnstableService.UnstableServiceClient client;

    public SoakClient(BenchmarkServer server, SoakScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(scenario);
        Telemetry = new TelemetryListener();
        Transitions = new BreakerTransitions();
        loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddProvider(Log));
        channel = server.CreateChannel();
        client = Clients.Ours(channel.CreateCallInvoker(), scenario.Policy, loggerFactory);
    }

    /// <summary>Gets the log sink, which counts what the stack logged.</summary>
    public FormattingLoggerProvider Log { get; } = new();

    /// <summary>Gets the meter listener, which counts every measurement.</summary>
    public TelemetryListener Telemetry { get; }

    /// <summary>Gets the breaker's openings, probes and closings.</summary>
    public BreakerTransitions Transitions { get; }

    /// <summary>Starts one <c>Process</c> call.</summary>
    public AsyncUnaryCall<ProcessReply> Process(ProcessRequest request) => client.ProcessAsync(request);

    /// <summary>Starts one <c>Subscribe</c> stream.</summary>
    public AsyncServerStreamingCall<Event> Subscribe(SubscribeRequest request) => client.Subscribe(request);

    /// <inheritdoc />
    public void Dispose()
    {
        channel.Dispose();
        loggerFactory.Dispose();
        Transitions.Dispose();
        Telemetry.Dispose();
    }
}
