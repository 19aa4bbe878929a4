namespace ResilientGrpc.Client.Scenario;

/// <summary>The demo's narration (category <c>ResilientGrpc.Client.Scenario</c>): what happens and what to look for.</summary>
internal static partial class ScenarioLog
{
    public const string Category = "ResilientGrpc.Client.Scenario";

    [LoggerMessage(301, LogLevel.Information,
        "Demo: chaos server in-process at {Address}; client stack retry -> circuit breaker '{Breaker}' -> deadline: "
        + "deadline {Deadline:0.###} s, {MaxAttempts} attempts with {Backoff:0.###} s backoff doubling, "
        + "breaker opens after {Threshold} failed calls (or {Threshold} x {MaxAttempts} failed attempts) in a row for {Break:0.###} s",
        EventName = "DemoStarted")]
    public static partial void Started(
        ILogger logger, Uri address, string breaker, double deadline, int maxAttempts, double backoff, int threshold, double @break);

    [LoggerMessage(309, LogLevel.Information,
        "Demo: the hedged phase calls through hedging -> the same circuit breaker -> deadline: Process gets up to "
        + "{MaxAttempts} copies {Delay:0.###} s apart, the first answer wins, and it is not retried",
        EventName = "HedgedClient")]
    public static partial void HedgedClient(ILogger logger, int maxAttempts, double delay);

    [LoggerMessage(302, LogLevel.Information, "=== Phase {Number}/{Count} {Phase}: {Narration}", EventName = "PhaseStarted")]
    public static partial void PhaseStarted(ILogger logger, int number, int count, string phase, string narration);

    [LoggerMessage(303, LogLevel.Information,
        "=== Phase {Phase} done in {Seconds:0.0} s: {Calls} calls, {Ok} OK, {Retries} retries, {Rejected} rejected by the breaker, "
        + "{Hedges} hedges sent ({HedgesCancelled} cancelled); the server received {ServerReceived}",
        EventName = "PhaseEnded")]
    public static partial void PhaseEnded(
        ILogger logger, string phase, double seconds, long calls, long ok, long retries, long rejected, long hedges, long hedgesCancelled, long serverReceived);

    [LoggerMessage(304, LogLevel.Information,
        "The circuit is open: calls now fail at once without reaching the server. Watch 'rejected' grow while 'server received' stays 0",
        EventName = "BreakerOpenedNote")]
    public static partial void BreakerOpened(ILogger logger);

    [LoggerMessage(305, LogLevel.Information,
        "Break over after {Seconds:0.0} s: {Rejected} calls were rejected and the server received {ServerReceived} meanwhile; the next call is the half-open probe",
        EventName = "BreakerHalfOpenedNote")]
    public static partial void BreakerHalfOpened(ILogger logger, double seconds, long rejected, long serverReceived);

    [LoggerMessage(306, LogLevel.Information,
        "The probe failed, so the circuit opened again for another break", EventName = "ProbeFailedNote")]
    public static partial void ProbeFailed(ILogger logger);

    [LoggerMessage(307, LogLevel.Information,
        "The probe succeeded: the circuit is closed and calls reach the server again", EventName = "BreakerClosedNote")]
    public static partial void BreakerClosed(ILogger logger);

    [LoggerMessage(308, LogLevel.Information, "Demo finished in {Seconds:0.0} s", EventName = "DemoFinished")]
    public static partial void Finished(ILogger logger, double seconds);
}
