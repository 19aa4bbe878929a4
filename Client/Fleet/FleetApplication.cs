namespace ResilientGrpc.Client.Fleet;

/// <summary>
/// The fleet demo (<c>--replicas N</c>): the same scripted load twice, on fresh in-process replicas and channels,
/// first balanced by plain <c>round_robin</c>, then with outlier detection; replica 2 goes down mid-run in both.
/// </summary>
internal static class FleetApplication
{
    /// <summary>Runs both runs.</summary>
    /// <param name="replicas">How many replicas to host.</param>
    /// <param name="timings">The durations (defaults or a test's).</param>
    /// <param name="configureLogging">Sets up logging; the in-process servers' is the same at Warning.</param>
    /// <param name="cancellationToken">Stops the demo early.</param>
    public static async Task<FleetResult> RunAsync(
        int replicas,
        FleetTimings timings,
        Action<ILoggingBuilder, LogLevel> configureLogging,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timings);
        ArgumentNullException.ThrowIfNull(configureLogging);
        var watcher = new OutlierEventWatcher();
        using var loggers = LoggerFactory.Create(logging =>
        {
            configureLogging(logging, LogLevel.Information);

            // A third of the attempts fail in the run without ejection: one warning each would bury the story.
            logging.AddFilter("ResilientGrpc.Retry", LogLevel.Error);
            logging.AddProvider(watcher);
            logging.AddFilter<OutlierEventWatcher>(OutlierEventWatcher.Category, LogLevel.Information);
        });
        FleetLog.Started(
            loggers.CreateLogger(FleetLog.Category),
            replicas,
            timings.Healthy.TotalSeconds,
            timings.Down.TotalSeconds,
            timings.Recovery.TotalSeconds,
            timings.BaseEjectionTime.TotalSeconds);

        var runs = new List<FleetRunResult>();
        foreach (var withEjection in new[] { false, true })
        {
            var run = new FleetRun(withEjection, timings, loggers, watcher);
            runs.Add(await run.RunAsync(replicas, l => configureLogging(l, LogLevel.Warning), cancellationToken));
        }

        return new FleetResult(runs, timings);
    }
}
