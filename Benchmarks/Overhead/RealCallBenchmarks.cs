using BenchmarkDotNet.Attributes;
using Grpc.Net.Client;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>A.2 A healthy unary Process call through the real server, in memory and over loopback Kestrel (HTTP/2).</summary>
[MemoryDiagnoser]
public class RealCallBenchmarks
{
    private readonly List<GrpcChannel> channels = [];
    private BenchmarkServer server = null!;
    private UnstableService.UnstableServiceClient bare = null!;
    private UnstableService.UnstableServiceClient grpcRetry = null!;
    private UnstableService.UnstableServiceClient polly = null!;
    private UnstableService.UnstableServiceClient ours = null!;
    private TelemetryListener? listener;

    [Params(Transport.InMemory, Transport.Kestrel)]
    public Transport Transport { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        server = BenchmarkServer.StartAsync(Transport).GetAwaiter().GetResult();
        var channel = Channel();
        bare = Clients.Bare(channel.CreateCallInvoker());
        polly = Clients.Polly(channel.CreateCallInvoker(), PolicySettings.Default);
        ours = Clients.Ours(channel.CreateCallInvoker(), PolicySettings.Default);
        grpcRetry = new UnstableService.UnstableServiceClient(
            Channel(new GrpcChannelOptions { ServiceConfig = GrpcRetryServiceConfig.For(PolicySettings.Default) }));
    }

    [GlobalSetup(Target = nameof(OursTelemetryOn))]
    public void SetupWithTelemetry()
    {
        listener = new TelemetryListener();
        Setup();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        listener?.Dispose();
        foreach (var channel in channels)
        {
            channel.Dispose();
        }

        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    public Task<ProcessReply> Bare() => Call(bare);

    /// <summary>Bare with the 2 s deadline our stack adds: what the deadline alone costs (timers on both sides).</summary>
    [Benchmark]
    public async Task<ProcessReply> BareWithDeadline()
    {
        using var call = bare.ProcessAsync(Clients.Request, deadline: DateTime.UtcNow + PolicySettings.Default.AttemptTimeout);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    [Benchmark]
    public Task<ProcessReply> GrpcBuiltInRetry() => Call(grpcRetry);

    [Benchmark]
    public Task<ProcessReply> Polly() => Call(polly);

    [Benchmark]
    public Task<ProcessReply> Ours() => Call(ours);

    [Benchmark]
    public Task<ProcessReply> OursTelemetryOn() => Call(ours);

    private static async Task<ProcessReply> Call(UnstableService.UnstableServiceClient client)
    {
        using var call = client.ProcessAsync(Clients.Request);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    private GrpcChannel Channel(GrpcChannelOptions? options = null)
    {
        var channel = server.CreateChannel(options);
        channels.Add(channel);
        return channel;
    }
}
