using BenchmarkDotNet.Attributes;
using Grpc.Core.Interceptors;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>
/// Where our overhead goes: each interceptor alone (telemetry off) on the fake invoker of A.1, against the whole stack.
/// A diagnosis aid, not a contender comparison.
/// </summary>
[MemoryDiagnoser]
public class LayerBreakdownBenchmarks
{
    private UnstableService.UnstableServiceClient bare = null!;
    private UnstableService.UnstableServiceClient deadline = null!;
    private UnstableService.UnstableServiceClient breaker = null!;
    private UnstableService.UnstableServiceClient retry = null!;
    private UnstableService.UnstableServiceClient all = null!;
    private UnstableService.UnstableServiceClient intercepted = null!;

    [GlobalSetup]
    public void Setup()
    {
        var invoker = new FakeCallInvoker(Clients.Reply);
        var options = OursStack.Options(PolicySettings.Default);
        bare = Clients.Bare(invoker);
        deadline = new(invoker.WithResilience(new ResilienceOptions { Deadline = options.Deadline, Retry = null, CircuitBreaker = null }));
        breaker = new(invoker.WithResilience(new ResilienceOptions { Deadline = null, Retry = null, CircuitBreaker = options.CircuitBreaker }));
        retry = new(invoker.WithResilience(new ResilienceOptions { Deadline = null, Retry = options.Retry, CircuitBreaker = null }));
        all = new(invoker.WithResilience(options));
        intercepted = new(invoker.Intercept(
            new RetryInterceptor(options.Retry!), new CircuitBreakerInterceptor(options.CircuitBreaker!), new DeadlineInterceptor(options.Deadline!)));
    }

    [Benchmark(Baseline = true)]
    public ProcessReply Bare() => Clients.Complete(bare.ProcessAsync(Clients.Request));

    [Benchmark]
    public ProcessReply DeadlineOnly() => Clients.Complete(deadline.ProcessAsync(Clients.Request));

    [Benchmark]
    public ProcessReply BreakerOnly() => Clients.Complete(breaker.ProcessAsync(Clients.Request));

    [Benchmark]
    public ProcessReply RetryOnly() => Clients.Complete(retry.ProcessAsync(Clients.Request));

    [Benchmark]
    public ProcessReply AllThree() => Clients.Complete(all.ProcessAsync(Clients.Request));

    /// <summary>The same three interceptors stacked with Grpc.Core.Api's <c>Intercept()</c> instead of <c>WithResilience</c>.</summary>
    [Benchmark]
    public ProcessReply AllThreeThroughIntercept() => Clients.Complete(intercepted.ProcessAsync(Clients.Request));
}
