using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>The circuit breaker's log events (category <c>ResilientGrpc.CircuitBreaker</c>).</summary>
internal static partial class CircuitBreakerLog
{
    [LoggerMessage(3001, LogLevel.Error,
        "Circuit '{Breaker}' opened after {Failures} failed calls in a row; rejecting calls for {BreakSeconds:0.###} s",
        EventName = "CircuitOpened")]
    public static partial void Opened(ILogger logger, string breaker, int failures, double breakSeconds);

    [LoggerMessage(3009, LogLevel.Error,
        "Circuit '{Breaker}' opened after {Failures} failed attempts in a row; rejecting calls for {BreakSeconds:0.###} s",
        EventName = "CircuitOpenedOnAttempts")]
    public static partial void OpenedOnAttempts(ILogger logger, string breaker, int failures, double breakSeconds);

    [LoggerMessage(3002, LogLevel.Error,
        "Circuit '{Breaker}' opened: {Failures} failed calls reached the {FailureRatio:P0} failure ratio of the sampling window; rejecting calls for {BreakSeconds:0.###} s",
        EventName = "CircuitOpenedOnRatio")]
    public static partial void OpenedOnRatio(ILogger logger, string breaker, int failures, double failureRatio, double breakSeconds);

    [LoggerMessage(3003, LogLevel.Error,
        "Circuit '{Breaker}' probe failed; open again for {BreakSeconds:0.###} s",
        EventName = "CircuitReopened")]
    public static partial void Reopened(ILogger logger, string breaker, double breakSeconds);

    [LoggerMessage(3004, LogLevel.Warning,
        "Circuit '{Breaker}' half-open: letting {Probes} probe call(s) through",
        EventName = "CircuitHalfOpened")]
    public static partial void HalfOpened(ILogger logger, string breaker, int probes);

    [LoggerMessage(3005, LogLevel.Information,
        "Circuit '{Breaker}' closed; {Rejected} call(s) were rejected while it was open",
        EventName = "CircuitClosed")]
    public static partial void Closed(ILogger logger, string breaker, long rejected);

    [LoggerMessage(3006, LogLevel.Warning,
        "Circuit '{Breaker}' is {State}: calls fail at once without reaching the server; further rejections are counted, not logged",
        EventName = "CallRejected")]
    public static partial void Rejected(ILogger logger, string breaker, CircuitState state);

    [LoggerMessage(3007, LogLevel.Warning,
        "Circuit '{Breaker}' isolated by hand: rejecting every call until it is reset",
        EventName = "CircuitIsolated")]
    public static partial void Isolated(ILogger logger, string breaker);

    [LoggerMessage(3008, LogLevel.Information,
        "Circuit '{Breaker}' reset by hand: closed",
        EventName = "CircuitReset")]
    public static partial void Reset(ILogger logger, string breaker);
}
