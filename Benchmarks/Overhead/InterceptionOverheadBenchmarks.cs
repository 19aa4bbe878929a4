using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>
/// A.1 The cost of the layers alone: every call goes to a fake invoker that returns an already-completed call.
/// grpc-dotnet's built-in retry has no place here: it lives inside the channel's HTTP call, not in a call invoker.
/// </summary>
[MemoryDiagnoser]
public class InterceptionOverheadBenchmarks
{
    private UnstableService.UnstableServiceClient bare = null!;
    private UnstableService.UnstableServiceClient polly = null!;
    private UnstableService.UnstableServiceClient ours = null!;
    private UnstableService.UnstableServiceClient oursWithoutLimit = null!;
    private UnstableService.UnstableServiceClient oursFixedLimit = null!;
    private TelemetryListener? listener;
    private ActivityListener? tracing;
    private ILoggerFactory? loggers;

    [GlobalSetup]
    public void Setup()
    {
        var invoker = new FakeCallInvoker(Clients.Reply);
        bare = Clients.Bare(invoker);
        polly = Clients.Polly(invoker, PolicySettings.Default);
        ours = Clients.Ours(invoker, PolicySettings.Default);
        var withoutLimit = OursStack.Options(PolicySettings.Default);
        withoutLimit.ConcurrencyLimit = null;
        oursWithoutLimit = new(OursStack.Wrap(invoker, withoutLimit));
        var fixedLimit = OursStack.Options(PolicySettings.Default);
        fixedLimit.ConcurrencyLimit = new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = 1_000 };
        oursFixedLimit = new(OursStack.Wrap(invoker, fixedLimit));
    }

    [GlobalSetup(Target = nameof(OursTelemetryOn))]
    public void SetupWithTelemetry()
    {
        listener = new TelemetryListener();
        Setup();
    }

    /// <summary>
    /// Tracing on: an activity listener that samples every span of ours with all its data, as an exporter sampling
    /// everything would (<c>AllDataAndRecorded</c>); no meter listener.
    /// </summary>
    [GlobalSetup(Target = nameof(OursTracingOn))]
    public void SetupWithTracing()
    {
        tracing = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == ResilienceTelemetry.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = static _ => { },
        };
        ActivitySource.AddActivityListener(tracing);
        Setup();
    }

    /// <summary>
    /// The configuration production apps run: a logger factory at Warning and a meter listener recording both
    /// libraries' instruments; Polly gets its telemetry through <c>ConfigureTelemetry</c>, as its docs advise.
    /// </summary>
    [GlobalSetup(Targets = [nameof(OursProduction), nameof(PollyProduction)])]
    public void SetupProduction()
    {
        listener = new TelemetryListener(ResilienceTelemetry.MeterName, "Polly");
        loggers = WarningLoggerFactory.Create();
        var invoker = new FakeCallInvoker(Clients.Reply);
        bare = Clients.Bare(invoker);
        polly = Clients.Polly(invoker, PolicySettings.Default, loggerFactory: loggers);
        ours = Clients.Ours(invoker, PolicySettings.Default, loggers);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        listener?.Dispose();
        tracing?.Dispose();
        loggers?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public ProcessReply Bare() => Clients.Complete(bare.ProcessAsync(Clients.Request));

    [Benchmark]
    public ProcessReply Polly() => Clients.Complete(polly.ProcessAsync(Clients.Request));

    [Benchmark]
    public ProcessReply Ours() => Clients.Complete(ours.ProcessAsync(Clients.Request));

    /// <summary>Ours without the concurrency limit: what the limit itself costs a completed call.</summary>
    [Benchmark]
    public ProcessReply OursWithoutLimit() => Clients.Complete(oursWithoutLimit.ProcessAsync(Clients.Request));

    /// <summary>Ours with a fixed limit: the layer without its clock reads and rounds, what admission alone costs.</summary>
    [Benchmark]
    public ProcessReply OursFixedLimit() => Clients.Complete(oursFixedLimit.ProcessAsync(Clients.Request));

    [Benchmark]
    public ProcessReply OursTelemetryOn() => Clients.Complete(ours.ProcessAsync(Clients.Request));

    [Benchmark]
    public ProcessReply OursTracingOn() => Clients.Complete(ours.ProcessAsync(Clients.Request));

    [Benchmark]
    public ProcessReply PollyProduction() => Clients.Complete(polly.ProcessAsync(Clients.Request));

    [Benchmark]
    public ProcessReply OursProduction() => Clients.Complete(ours.ProcessAsync(Clients.Request));
}
