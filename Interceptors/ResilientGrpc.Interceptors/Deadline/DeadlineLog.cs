using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>The deadline interceptor's log events (category <c>ResilientGrpc.Deadline</c>).</summary>
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
