using BenchmarkDotNet.Attributes;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>
/// A.5 What hedging costs a healthy unary Process call through the real server, when the answer comes before the
/// hedge delay (200 ms, the library's default) and no hedge is sent: ours with hedging on <c>Process</c> in front of the
/// default stack, Polly's hedging strategy with an attempt timeout, grpc-dotnet's service-config hedging, bare.
/// </summary>
[MemoryDiagnoser]
public class HedgedCallBenchmarks : RealServerBenchmark
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(200);
    private UnstableService.UnstableServiceClient bare = null!;
    private UnstableService.UnstableServiceClient grpcHedging = null!;
    private UnstableService.UnstableServiceClient pollyHedging = null!;
    private UnstableService.UnstableServiceClient oursDefault = null!;
    private UnstableService.UnstableServiceClient oursHedging = null!;

    [GlobalSetup]
    public void Setup()
    {
        StartServer();
        var policy = PolicySettings.Default;
        bare = Clients.Bare(Channel().CreateCallInvoker());
        oursDefault = Clients.Ours(Channel().CreateCallInvoker(), policy);
        oursHedging = new(OursStack.Wrap(Channel().CreateCallInvoker(), OursStack.HedgingOptions(policy, Delay)));
        pollyHedging = new(Channel().CreateCallInvoker().Intercept(new PollyHedgingInterceptor(PollyHedgingPipeline.Create(policy, Delay))));
        grpcHedging = new(Channel(new GrpcChannelOptions { ServiceConfig = GrpcHedgingServiceConfig.For(policy, Delay) }));
    }

    [Benchmark(Baseline = true)]
    public Task<ProcessReply> Bare() => Call(bare);

    /// <summary>Ours without hedging (retry → breaker → deadline), the peer in the same run for what hedging adds.</summary>
    [Benchmark]
    public Task<ProcessReply> OursDefault() => Call(oursDefault);

    [Benchmark]
    public Task<ProcessReply> OursHedging() => Call(oursHedging);

    [Benchmark]
    public Task<ProcessReply> PollyHedging() => Call(pollyHedging);

    [Benchmark]
    public Task<ProcessReply> GrpcHedging() => Call(grpcHedging);
}
