using Grpc.Core;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>What to log if a call the deadline interceptor gave a deadline ends in DeadlineExceeded; empty when nothing is.</summary>
internal readonly record struct DeadlineReport(ILogger? Logger, string Method, double TimeoutSeconds) : ICallObserver
{
    public bool IsActive => Logger is not null;

    public void OnEnded(Exception? error, CancellationToken readToken)
    {
        if (Logger is not null && error is not null && CallErrors.CodeOf(error) == StatusCode.DeadlineExceeded)
        {
            DeadlineLog.DeadlineExceeded(Logger, Method, TimeoutSeconds);
        }
    }

    public void OnAbandoned()
    {
    }

    /// <summary>A report made once per method, for owners of several attempts that report their ends.</summary>
    internal sealed record Box(DeadlineReport Report) : IAttemptWatcher
    {
        public void OnAttemptEnded(CallAttempts call, long token, Exception? error, CancellationToken callerToken) => Report.OnEnded(error, default);
    }
}

internal static partial class DeadlineLog
{
    [LoggerMessage(2001, LogLevel.Warning,
        "{Method} exceeded its deadline of {TimeoutSeconds:0.###} s",
        EventName = "DeadlineExceeded")]
    public static partial void DeadlineExceeded(ILogger logger, string method, double timeoutSeconds);

    [LoggerMessage(2002, LogLevel.Warning,
        "{Method} got no response within {TimeoutSeconds:0.###} s",
        EventName = "StreamFirstResponseTimedOut")]
    public static partial void StreamFirstResponseTimedOut(ILogger logger, string method, double timeoutSeconds);

    [LoggerMessage(2003, LogLevel.Warning,
        "{Method} was idle for {IdleSeconds:0.###} s",
        EventName = "StreamIdleTimedOut")]
    public static partial void StreamIdleTimedOut(ILogger logger, string method, double idleSeconds);
}
