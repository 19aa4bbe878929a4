using BenchmarkDotNet.Attributes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>
/// A.3 The cost of a call an open breaker rejects. The breakers are opened by five DeadlineExceeded failures (a
/// status both breakers count and neither retry policy retries) and stay open for a day. "Stack" is what a caller of
/// the full stack pays, exception caught; "BreakerOnly" is the breaker's decision alone, observed without a throw (the
/// response task's error is read, so no unobserved-task finalizer runs).
/// </summary>
[MemoryDiagnoser]
public class RejectionBenchmarks
{
    private static readonly PolicySettings LongBreak = PolicySettings.Default with { BreakDuration = TimeSpan.FromDays(1) };

    private UnstableService.UnstableServiceClient oursStack = null!;
    private UnstableService.UnstableServiceClient pollyStack = null!;
    private UnstableService.UnstableServiceClient oursBreaker = null!;
    private UnstableService.UnstableServiceClient pollyBreaker = null!;

    [GlobalSetup]
    public void Setup()
    {
        var invoker = new FakeCallInvoker(Clients.Reply) { FailWith = StatusCode.DeadlineExceeded };

        oursStack = new(Contenders.OursStack.Wrap(invoker, LongBreak));
        oursBreaker = new(invoker.Intercept(new CircuitBreakerInterceptor(new CircuitBreakerOptions
        {
            FailureThreshold = LongBreak.FailureThreshold,
            BreakDuration = LongBreak.BreakDuration,
        })));
        pollyStack = new(invoker.Intercept(new PollyInterceptor(PollyPipelines.Create(LongBreak))));
        pollyBreaker = new(invoker.Intercept(new PollyInterceptor(PollyPipelines.BreakerOnly(LongBreak))));

        foreach (var client in new[] { oursStack, oursBreaker, pollyStack, pollyBreaker })
        {
            for (var i = 0; i < LongBreak.FailureThreshold; i++)
            {
                _ = Fails(client);
            }
        }

        invoker.FailWith = null;
        var before = invoker.Calls;

        foreach (var client in new[] { oursStack, oursBreaker, pollyStack, pollyBreaker })
        {
            if (!Fails(client) || !client.ProcessAsync(Clients.Request).ResponseAsync.IsFaulted)
            {
                throw new InvalidOperationException("A breaker did not open.");
            }
        }

        if (invoker.Calls != before)
        {
            throw new InvalidOperationException("A rejected call reached the invoker.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool OursStack() => Fails(oursStack);

    [Benchmark]
    public bool PollyStack() => Fails(pollyStack);

    [Benchmark]
    public bool OursBreakerOnly() => Observed(oursBreaker);

    [Benchmark]
    public bool PollyBreakerOnly() => Observed(pollyBreaker);

    /// <summary>Reads the rejection's error without throwing it, as an awaiting caller would observe it.</summary>
    private static bool Observed(UnstableService.UnstableServiceClient client)
    {
        using var call = client.ProcessAsync(Clients.Request);
        return call.ResponseAsync.Exception is not null;
    }

    private static bool Fails(UnstableService.UnstableServiceClient client)
    {
        try
        {
            _ = Clients.Complete(client.ProcessAsync(Clients.Request));
            return false;
        }
        catch (RpcException)
        {
            return true;
        }
    }
}
