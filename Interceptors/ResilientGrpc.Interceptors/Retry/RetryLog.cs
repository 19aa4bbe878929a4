using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>The retry interceptor's log events (category <c>ResilientGrpc.Retry</c>).</summary>
internal static partial class RetryLog
{
    [LoggerMessage(1001, LogLevel.Warning,
        "{Method} attempt {Attempt}/{MaxAttempts} failed: {Status}; retrying in {DelaySeconds:0.00} s",
        EventName = "AttemptFailed")]
    public static partial void AttemptFailed(ILogger logger, string method, int attempt, int maxAttempts, StatusCode status, double delaySeconds);

    [LoggerMessage(1002, LogLevel.Error,
        "{Method} gave up after {Attempts} attempts: {Status}",
        EventName = "RetriesExhausted")]
    public static partial void RetriesExhausted(ILogger logger, string method, int attempts, StatusCode status);

    [LoggerMessage(1003, LogLevel.Information,
        "{Method} attempt {Attempt}: server pushback asks to wait {PushbackMilliseconds} ms",
        EventName = "PushbackReceived")]
    public static partial void PushbackReceived(ILogger logger, string method, int attempt, long pushbackMilliseconds);

    [LoggerMessage(1004, LogLevel.Warning,
        "{Method} attempt {Attempt} failed: {Status}; server pushback says not to retry",
        EventName = "PushbackStop")]
    public static partial void PushbackStop(ILogger logger, string method, int attempt, StatusCode status);

    [LoggerMessage(1005, LogLevel.Warning,
        "{Method} attempt {Attempt} failed: {Status}; retry refused, the retry budget is spent",
        EventName = "RetryThrottled")]
    public static partial void RetryThrottled(ILogger logger, string method, int attempt, StatusCode status);

    [LoggerMessage(1006, LogLevel.Warning,
        "{Method} attempt {Attempt} failed: {Status}; the next attempt would start after the call's deadline",
        EventName = "DeadlineWouldPass")]
    public static partial void DeadlineWouldPass(ILogger logger, string method, int attempt, StatusCode status);
}
