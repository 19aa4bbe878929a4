using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>
/// A.6 A call whose answer comes later, as every real call's does: the fake invoker answers after a yield, so each
/// layer that must see how an attempt ends takes its asynchronous path. Beside Polly, telemetry off and in production
/// shape (a Warning logger and a meter listener on both libraries).
/// </summary>
[MemoryDiagnoser]
public class PendingCallBenchmarks
{
    private UnstableService.UnstableServiceClient bare = null!;
    private UnstableService.UnstableServiceClient polly = null!;
    private UnstableService.UnstableServiceClient ours = null!;
    private UnstableService.UnstableServiceClient withoutLimit = null!;
    private UnstableService.UnstableServiceClient retryOnly = null!;
    private UnstableService.UnstableServiceClient hedged = null!;
    private TelemetryListener? listener;
    private ILoggerFactory? loggers;

    [GlobalSetup]
    public void Setup() => Build(loggerFactory: null);

    [GlobalSetup(Targets = [nameof(OursProduction), nameof(PollyProduction)])]
    public void SetupProduction()
    {
        listener = new TelemetryListener(ResilienceTelemetry.MeterName, "Polly");
        loggers = WarningLoggerFactory.Create();
        Build(loggers);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        listener?.Dispose();
        loggers?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<ProcessReply> Bare() => Call(bare);

    [Benchmark]
    public Task<ProcessReply> Polly() => Call(polly);

    [Benchmark]
    public Task<ProcessReply> Ours() => Call(ours);

    /// <summary>Ours without the concurrency limit: what the limit itself costs a pending call.</summary>
    [Benchmark]
    public Task<ProcessReply> OursWithoutLimit() => Call(withoutLimit);

    /// <summary>Ours without the breaker: what the retry costs a pending call on its own.</summary>
    [Benchmark]
    public Task<ProcessReply> OursRetryOnly() => Call(retryOnly);

    /// <summary>Ours with hedging on the method: the call answers long before the hedge delay.</summary>
    [Benchmark]
    public Task<ProcessReply> OursHedged() => Call(hedged);

    [Benchmark]
    public Task<ProcessReply> PollyProduction() => Call(polly);

    [Benchmark]
    public Task<ProcessReply> OursProduction() => Call(ours);

    private static async Task<ProcessReply> Call(UnstableService.UnstableServiceClient client)
    {
        using var call = client.ProcessAsync(Clients.Request);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    private void Build(ILoggerFactory? loggerFactory)
    {
        var invoker = new PendingCallInvoker(Clients.Reply);
        bare = Clients.Bare(invoker);
        polly = Clients.Polly(invoker, PolicySettings.Default, loggerFactory: loggerFactory);
        ours = Clients.Ours(invoker, PolicySettings.Default, loggerFactory);
        var noLimit = OursStack.Options(PolicySettings.Default);
        noLimit.ConcurrencyLimit = null;
        withoutLimit = new(OursStack.Wrap(invoker, noLimit, loggerFactory));
        retryOnly = new(OursStack.Wrap(invoker, OursStack.RetryOnlyOptions(PolicySettings.Default), loggerFactory));
        hedged = new(OursStack.Wrap(invoker, OursStack.HedgingOptions(PolicySettings.Default, TimeSpan.FromSeconds(1)), loggerFactory));
    }
}
