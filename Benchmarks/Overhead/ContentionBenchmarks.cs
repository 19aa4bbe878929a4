using BenchmarkDotNet.Attributes;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>
/// A.4 Throughput when many callers share one breaker: <see cref="Callers"/> tasks each make their share of
/// <see cref="TotalCalls"/> healthy calls through one stack on a fake invoker. The time reported is per call, so a
/// flat line from 1 to 256 callers means no contention collapse.
/// </summary>
[MemoryDiagnoser]
public class ContentionBenchmarks
{
    public const int TotalCalls = 25_600;

    private UnstableService.UnstableServiceClient polly = null!;
    private UnstableService.UnstableServiceClient ours = null!;

    [Params(1, 16, 256)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var invoker = new FakeCallInvoker(Clients.Reply);
        polly = Clients.Polly(invoker, PolicySettings.Default);
        ours = Clients.Ours(invoker, PolicySettings.Default);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalCalls)]
    public Task Ours() => Run(ours);

    [Benchmark(OperationsPerInvoke = TotalCalls)]
    public Task Polly() => Run(polly);

    private Task Run(UnstableService.UnstableServiceClient client)
    {
        var share = TotalCalls / Callers;
        var callers = new Task[Callers];
        for (var i = 0; i < callers.Length; i++)
        {
            callers[i] = Task.Run(() =>
            {
                for (var n = 0; n < share; n++)
                {
                    _ = Clients.Complete(client.ProcessAsync(Clients.Request));
                }
            });
        }

        return Task.WhenAll(callers);
    }
}
