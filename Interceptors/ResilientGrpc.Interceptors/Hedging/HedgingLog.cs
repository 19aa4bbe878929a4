using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>The hedging interceptor's log events (category <c>ResilientGrpc.Hedging</c>).</summary>
internal static partial class HedgingLog
{
    [LoggerMessage(4001, LogLevel.Information,
        "{Method} hedge {Attempt}/{MaxAttempts} sent after {ElapsedSeconds:0.00} s",
        EventName = "HedgeSent")]
    public static partial void HedgeSent(ILogger logger, string method, int attempt, int maxAttempts, double elapsedSeconds);

    [LoggerMessage(4002, LogLevel.Information,
        "{Method} answered by hedge {Attempt}; {Cancelled} other {AttemptWord} cancelled",
        EventName = "HedgeWon")]
    public static partial void HedgeWon(ILogger logger, string method, int attempt, int cancelled, string attemptWord);

    [LoggerMessage(4003, LogLevel.Warning,
        "{Method} hedge {Attempt} failed: {Status}; server pushback says to send no more hedges",
        EventName = "PushbackStop")]
    public static partial void PushbackStop(ILogger logger, string method, int attempt, StatusCode status);

    [LoggerMessage(4004, LogLevel.Warning,
        "{Method} hedge {Attempt} was refused below: {Status}; no more hedges are sent",
        EventName = "HedgeRefused")]
    public static partial void HedgeRefused(ILogger logger, string method, int attempt, StatusCode status);

    [LoggerMessage(4005, LogLevel.Error,
        "{Method} failed after {Attempts} attempts: {Status}",
        EventName = "HedgesFailed")]
    public static partial void HedgesFailed(ILogger logger, string method, int attempts, StatusCode status);

    [LoggerMessage(4006, LogLevel.Warning,
        "{Method} hedge {Attempt}/{MaxAttempts} not sent: the retry budget is spent",
        EventName = "HedgeThrottled")]
    public static partial void HedgeThrottled(ILogger logger, string method, int attempt, int maxAttempts);
}
