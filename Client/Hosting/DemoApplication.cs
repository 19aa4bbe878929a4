using System.Diagnostics.Metrics;
using ResilientGrpc.Client.Calls;
using ResilientGrpc.Client.Reporting;
using ResilientGrpc.Client.Scenario;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Client.Hosting;

/// <summary>
/// The demo: hosts the chaos service in-process, runs the narrated scenario through the library's default stack,
/// and reports a summary per phase.
/// </summary>
internal static class DemoApplication
{
    /// <summary>Runs the scenario.</summary>
    /// <param name="timings">The durations (defaults, <c>--fast</c>, or a test's).</param>
    /// <param name="metricsPort">The port of the client's <c>/metrics</c>; 0 picks a free one.</param>
    /// <param name="configureLogging">Sets up the client's logging; the in-process server's is the same at Warning.</param>
    /// <param name="cancellationToken">Stops the demo early.</param>
    /// <exception cref="TimeoutException">A phase did not finish within its bound.</exception>
    public static async Task<ScenarioResult> RunAsync(
        ScenarioTimings timings,
        int metricsPort,
        Action<ILoggingBuilder, LogLevel> configureLogging,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timings);
        ArgumentNullException.ThrowIfNull(configureLogging);
        await using var app = ClientHost.Build(metricsPort, anyAddress: false, l => configureLogging(l, LogLevel.Information));
        await app.StartAsync(cancellationToken);
        try
        {
            return await RunScenarioAsync(app, timings, configureLogging, cancellationToken);
        }
        finally
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(bound.Token);
        }
    }

    private static async Task<ScenarioResult> RunScenarioAsync(
        WebApplication app,
        ScenarioTimings timings,
        Action<ILoggingBuilder, LogLevel> configureLogging,
        CancellationToken cancellationToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Lifetime.ApplicationStopping);
        var token = stopping.Token;

        var services = app.Services;
        var time = services.GetRequiredService<TimeProvider>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var meters = services.GetRequiredService<IMeterFactory>();
        var logger = loggers.CreateLogger(ScenarioLog.Category);
        HostLog.MetricsListening(loggers.CreateLogger(HostLog.Category), ClientHost.MetricsUrl(app));

        await using var server = await InProcessChaosServer.StartAsync(l => configureLogging(l, LogLevel.Warning), token);
        var options = ResilienceSettings.HedgedForDemo(timings);
        using var client = ResilientClient.Create(server.Address, options, time, loggers, meters);
        var counters = new TrafficCounters();
        using var listener = new ResilienceMeterListener(counters, meters);
        using var watcher = new BreakerWatcher(client.Breaker, () => server.Statistics.TotalCalls, counters, time, logger);

        // Open the connection outside the story, so the first measured call does not pay for it.
        await client.PlainClient.ProcessAsync(new ProcessRequest { RequestId = "warm-up" }, deadline: time.GetUtcNow().UtcDateTime.AddSeconds(30), cancellationToken: token);

        ScenarioLog.Started(
            logger,
            server.Address,
            options.CircuitBreaker!.Name,
            options.Deadline!.Timeout.TotalSeconds,
            options.Retry!.MaxAttempts,
            options.Retry.InitialBackoff.TotalSeconds,
            options.CircuitBreaker.FailureThreshold,
            options.CircuitBreaker.BreakDuration.TotalSeconds);
        ScenarioLog.HedgedClient(logger, options.Hedging!.MaxAttempts, options.Hedging.Delay.TotalSeconds);

        var callLogger = loggers.CreateLogger(ProcessCaller.LogCategory);
        var caller = new ProcessCaller(client.Client, counters, time, callLogger, LogLevel.Information);
        var hedgedCaller = new ProcessCaller(client.HedgedClient!, counters, time, callLogger, LogLevel.Information);
        var status = new StatusReporter(counters, client.Breaker, () => server.Statistics.TotalCalls, time, loggers.CreateLogger(StatusReporter.LogCategory));
        using var statusStop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var statusTask = status.RunAsync(timings.StatusInterval, statusStop.Token);

        var started = time.GetTimestamp();
        var scenario = new DemoScenario(DemoPhases.Create(timings, watcher), server.Chaos, server.Statistics, caller, hedgedCaller, counters, time, logger);
        try
        {
            var phases = await scenario.RunAsync(token);
            ScenarioLog.Finished(logger, time.GetElapsedTime(started).TotalSeconds);
            return new ScenarioResult(phases, watcher.Transitions, watcher.OpenPeriods(), timings.HedgedCallBound);
        }
        finally
        {
            await statusStop.CancelAsync();
            await statusTask;
        }
    }
}
