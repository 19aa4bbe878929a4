using BenchmarkDotNet.Attributes;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>A.2 A healthy unary Process call through the real server, in memory and over loopback Kestrel (HTTP/2).</summary>
[MemoryDiagnoser]
public class RealCallBenchmarks : RealServerBenchmark
{
    private UnstableService.UnstableServiceClient bare = null!;
    private UnstableService.UnstableServiceClient grpcRetry = null!;
    private UnstableService.UnstableServiceClient polly = null!;
    private UnstableService.UnstableServiceClient ours = null!;
    private TelemetryListener? listener;
    private ILoggerFactory? loggers;

    [GlobalSetup]
    public void Setup()
    {
        StartServer();
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

    /// <summary>The production configuration of A.1: a Warning logger and a listener on both libraries' meters.</summary>
    [GlobalSetup(Targets = [nameof(OursProduction), nameof(PollyProduction)])]
    public void SetupProduction()
    {
        listener = new TelemetryListener(ResilienceTelemetry.MeterName, "Polly");
        loggers = WarningLoggerFactory.Create();
        Setup();
        var channel = Channel();
        polly = Clients.Polly(channel.CreateCallInvoker(), PolicySettings.Default, loggerFactory: loggers);
        ours = Clients.Ours(channel.CreateCallInvoker(), PolicySettings.Default, loggers);
    }

    [GlobalCleanup]
    public override void Cleanup()
    {
        listener?.Dispose();
        loggers?.Dispose();
        base.Cleanup();
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

    [Benchmark]
    public Task<ProcessReply> PollyProduction() => Call(polly);

    [Benchmark]
    public Task<ProcessReply> OursProduction() => Call(ours);
}
