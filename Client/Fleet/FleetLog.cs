namespace ResilientGrpc.Client.Fleet;

/// <summary>The fleet demo's narration (category <c>ResilientGrpc.Client.Fleet</c>).</summary>
internal static partial class FleetLog
{
    public const string Category = "ResilientGrpc.Client.Fleet";

    [LoggerMessage(401, LogLevel.Information,
        "Fleet demo: {Count} chaos replicas in-process behind static:///fleet; the same load runs twice on fresh replicas and channels, "
        + "without ejection, then with it; each run: {Healthy:0.#} s healthy, {Down:0.#} s with replica 2 down (every call UNAVAILABLE), "
        + "{Recovery:0.#} s after it comes back. Outlier detection's base ejection time is shrunk to {Ejection:0.#} s (library default 30 s). "
        + "Per-attempt retry warnings are hidden; the summary counts them",
        EventName = "FleetStarted")]
    public static partial void Started(ILogger logger, int count, double healthy, double down, double recovery, double ejection);

    [LoggerMessage(402, LogLevel.Information, "=== Run {Number}/2 {Run}: {Description}; replicas {Replicas}", EventName = "FleetRunStarted")]
    public static partial void RunStarted(ILogger logger, int number, string run, string description, string replicas);

    [LoggerMessage(403, LogLevel.Information, "=== {Run}, phase {Phase}: {Narration}", EventName = "FleetPhaseStarted")]
    public static partial void PhaseStarted(ILogger logger, string run, string phase, string narration);

    [LoggerMessage(404, LogLevel.Information,
        "=== {Run}, phase {Phase} done in {Seconds:0.0} s: {Calls} calls, {Succeeded} succeeded; replicas received {Received}",
        EventName = "FleetPhaseEnded")]
    public static partial void PhaseEnded(ILogger logger, string run, string phase, double seconds, long calls, long succeeded, string received);
}
