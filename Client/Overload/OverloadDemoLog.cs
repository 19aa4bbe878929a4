namespace ResilientGrpc.Client.Overload;

/// <summary>The overload demo's narration (category <c>ResilientGrpc.Client.Overload</c>).</summary>
internal static partial class OverloadDemoLog
{
    public const string Category = "ResilientGrpc.Client.Overload";

    [LoggerMessage(501, LogLevel.Information,
        "Overload demo: a chaos server in-process with {Handlers} handlers x {ServiceMs:0} ms = {Capacity:0} calls/s, {Overflow} the excess; "
        + "open-loop load of {Low:0}/s for {Before:0.#} s, {High:0}/s for {Overload:0.#} s, {Low:0}/s for {After:0.#} s, run twice on fresh servers "
        + "and channels: without the library (a {Deadline:0.#} s deadline per call), then with its defaults. Per-attempt retry and deadline "
        + "warnings are hidden; the counts below include them",
        EventName = "OverloadDemoStarted")]
    public static partial void Started(
        ILogger logger, int handlers, double serviceMs, double capacity, string overflow, double low, double before, double high, double overload, double after, double deadline);

    [LoggerMessage(502, LogLevel.Information, "=== Run {Number}/2 {Run}: {Description}", EventName = "OverloadRunStarted")]
    public static partial void RunStarted(ILogger logger, int number, string run, string description);

    [LoggerMessage(503, LogLevel.Information, "=== {Run}: {Rate:0} calls/s offered ({Share}x capacity) for {Seconds:0.#} s", EventName = "OverloadPhaseStarted")]
    public static partial void PhaseStarted(ILogger logger, string run, double rate, double share, double seconds);

    [LoggerMessage(504, LogLevel.Information,
        "{Run} {From:0.#}-{To:0.#} s: offered {Offered}, ok {Ok}, server UNAVAILABLE {Unavailable}, deadline {Deadline}, "
        + "refused locally {Refused}, breaker {Breaker}; server received {Received} attempts",
        EventName = "OverloadWindow")]
    public static partial void Window(
        ILogger logger, string run, double from, double to, long offered, long ok, long unavailable, long deadline, long refused, long breaker, long received);

    [LoggerMessage(505, LogLevel.Information,
        "=== {Run} done: load over after {Seconds:0.0} s; {Late} call(s) ended after the last window, {Unfinished} still running after the drain",
        EventName = "OverloadRunEnded")]
    public static partial void RunEnded(ILogger logger, string run, double seconds, long late, long unfinished);
}
