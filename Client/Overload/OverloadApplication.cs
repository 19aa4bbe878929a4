using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Client.Overload;

/// <summary>
/// The overload demo (<c>--overload</c>): a server of fixed capacity hosted in-process, offered half, then twice, then
/// half its capacity, open loop; the same load twice on fresh servers and channels, first without the library, then with
/// its defaults.
/// </summary>
internal static class OverloadApplication
{
    /// <summary>Runs both runs.</summary>
    /// <param name="timings">The server and the load (defaults, <c>--fast</c>, or a test's).</param>
    /// <param name="overflow">What the server does with a call that finds every handler busy.</param>
    /// <param name="configureLogging">Sets up logging; the in-process servers' is the same at Warning.</param>
    /// <param name="cancellationToken">Stops the demo early.</param>
    public static async Task<OverloadResult> RunAsync(
        OverloadTimings timings,
        CapacityOverflow overflow,
        Action<ILoggingBuilder, LogLevel> configureLogging,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timings);
        ArgumentNullException.ThrowIfNull(configureLogging);
        var watcher = new BreakerEventWatcher();
        using var loggers = LoggerFactory.Create(logging =>
        {
            configureLogging(logging, LogLevel.Information);

            // Under overload every call may fail: one line per attempt would bury the story. The counts include them.
            logging.AddFilter("ResilientGrpc.Retry", LogLevel.Error);
            logging.AddFilter("ResilientGrpc.Deadline", LogLevel.Error);
            logging.AddFilter("Grpc", LogLevel.Error);
            logging.AddProvider(watcher);
            logging.AddFilter<BreakerEventWatcher>(BreakerEventWatcher.Category, LogLevel.Error);
        });
        OverloadDemoLog.Started(
            loggers.CreateLogger(OverloadDemoLog.Category),
            timings.Handlers,
            timings.ServiceTime.TotalMilliseconds,
            timings.Capacity,
            overflow == CapacityOverflow.Shed ? "shedding (UNAVAILABLE)" : "queueing",
            timings.Capacity * OverloadTimings.LowLoad,
            timings.Before.TotalSeconds,
            timings.Capacity * OverloadTimings.HighLoad,
            timings.Overload.TotalSeconds,
            timings.After.TotalSeconds,
            timings.BareDeadline.TotalSeconds);

        var runs = new List<OverloadRunResult>();
        foreach (var withLibrary in new[] { false, true })
        {
            var run = new OverloadRun(withLibrary, timings, overflow, loggers, watcher);
            runs.Add(await run.RunAsync(l => configureLogging(l, LogLevel.Warning), cancellationToken));
        }

        return new OverloadResult(runs, timings, overflow);
    }
}
